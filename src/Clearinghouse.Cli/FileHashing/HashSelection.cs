namespace Clearinghouse.Cli.FileHashing;

/// <summary>
/// Which signal types <c>clearinghouse hash</c> computes. File types (pdq, md5, sha256, vpdq, text_tlsh) hash files;
/// value types (url, payment) canonicalise values given on the command line or on standard input, one type at a time.
/// </summary>
/// <param name="Vpdq">vPDQ for videos (with pdq as well, each file goes to the one its format fits).</param>
internal sealed record HashSelection(bool Pdq, bool Md5, bool Sha256, bool Vpdq = false, bool TextTlsh = false, string? ValueType = null)
{
    public const string DefaultList = "pdq,md5,sha256";

    private static readonly string[] FileTypes = ["pdq", "md5", "sha256", "vpdq", "text_tlsh"];
    private static readonly string[] ValueTypes = ["url", "payment"];

    /// <summary>Whether the selection is a value type (its inputs are values, not files).</summary>
    public bool TakesValues => ValueType is not null;

    /// <summary>Parses a comma-separated list such as "pdq,md5"; unknown names and mixes of file and value types are usage errors.</summary>
    public static HashSelection Parse(string list)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = raw.ToLowerInvariant();
            if (!FileTypes.Contains(name) && !ValueTypes.Contains(name))
            {
                throw new UsageException($"unknown signal type '{raw}' for --type (known: {string.Join(", ", [.. FileTypes, .. ValueTypes])})");
            }

            names.Add(name);
        }

        if (names.Count == 0)
        {
            throw new UsageException($"--type needs at least one of: {string.Join(", ", [.. FileTypes, .. ValueTypes])}");
        }

        var values = ValueTypes.Where(names.Contains).ToList();
        if (values.Count > 0)
        {
            if (names.Count > 1)
            {
                throw new UsageException($"--type {values[0]} canonicalises values, not files: give it alone (got {string.Join(",", names)})");
            }

            return new HashSelection(false, false, false, ValueType: values[0]);
        }

        return new HashSelection(
            names.Contains("pdq"), names.Contains("md5"), names.Contains("sha256"), names.Contains("vpdq"), names.Contains("text_tlsh"));
    }
}
