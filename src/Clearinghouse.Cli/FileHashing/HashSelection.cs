namespace Clearinghouse.Cli.FileHashing;

/// <summary>Which signal types <c>clearinghouse hash</c> computes.</summary>
internal sealed record HashSelection(bool Pdq, bool Md5, bool Sha256)
{
    public const string DefaultList = "pdq,md5,sha256";

    private static readonly string[] Known = ["pdq", "md5", "sha256", "vpdq"];

    /// <summary>vPDQ for videos (with pdq as well, each file goes to the one its format fits).</summary>
    public bool Vpdq { get; init; }

    /// <summary>Parses a comma-separated list such as "pdq,md5"; unknown names are a usage error.</summary>
    public static HashSelection Parse(string list)
    {
        bool pdq = false, md5 = false, sha256 = false, vpdq = false;
        foreach (var raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (raw.ToLowerInvariant())
            {
                case "pdq":
                    pdq = true;
                    break;
                case "md5":
                    md5 = true;
                    break;
                case "sha256":
                    sha256 = true;
                    break;
                case "vpdq":
                    vpdq = true;
                    break;
                default:
                    throw new UsageException($"unknown signal type '{raw}' for --type (known: {string.Join(", ", Known)})");
            }
        }

        if (!pdq && !md5 && !sha256 && !vpdq)
        {
            throw new UsageException($"--type needs at least one of: {string.Join(", ", Known)}");
        }

        return new HashSelection(pdq, md5, sha256) { Vpdq = vpdq };
    }
}
