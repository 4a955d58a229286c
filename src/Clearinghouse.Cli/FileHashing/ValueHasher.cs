using Clearinghouse.Signals;

namespace Clearinghouse.Cli.FileHashing;

/// <summary>One value's canonical form under a value signal type (url, payment), or why it is invalid.</summary>
internal sealed record ValueHashResult(string Value, string Type, string? Canonical, string? Error);

/// <summary>
/// Canonicalises values of a value signal type through its <see cref="ISignalType"/>, and reads them from standard
/// input one per line with a bound on each line's length (a huge line is an error, not unbounded memory).
/// </summary>
internal sealed class ValueHasher(ISignalType type)
{
    /// <summary>Longest line read from standard input, in characters.</summary>
    public const int MaxLineLength = 64 * 1024;

    public ValueHashResult Hash(string value) =>
        type.TryCanonicalize(value, out var canonical, out var reason)
            ? new ValueHashResult(value, type.Name, canonical, null)
            : new ValueHashResult(value, type.Name, null, reason);

    /// <summary>
    /// The non-blank lines of <paramref name="input"/> (a trailing '\r' removed); a line over
    /// <see cref="MaxLineLength"/> comes back as an error result naming its line number, and its rest is skipped.
    /// </summary>
    public static IEnumerable<(string? Line, string? Error)> ReadLines(TextReader input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var line = new System.Text.StringBuilder();
        bool overlong = false;
        int number = 0;
        var buffer = new char[4096];
        int n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != '\n')
                {
                    overlong |= line.Length == MaxLineLength;
                    if (!overlong)
                    {
                        line.Append(buffer[i]);
                    }

                    continue;
                }

                if (Complete(line, overlong, ++number) is { } item)
                {
                    yield return item;
                }

                line.Clear();
                overlong = false;
            }
        }

        if ((line.Length > 0 || overlong) && Complete(line, overlong, ++number) is { } last)
        {
            yield return last;
        }
    }

    private static (string? Line, string? Error)? Complete(System.Text.StringBuilder line, bool overlong, int number)
    {
        if (overlong)
        {
            return (null, $"line {number} is longer than {MaxLineLength:N0} characters");
        }

        string text = line.ToString().TrimEnd('\r');
        return string.IsNullOrWhiteSpace(text) ? null : (text, null);
    }
}
