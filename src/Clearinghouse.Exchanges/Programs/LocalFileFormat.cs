using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Clearinghouse.Exchanges.Programs;

/// <summary>
/// python-threatexchange's <c>local_file</c>: one <c>&lt;signal_type&gt; &lt;value&gt;</c> per line (blank lines and
/// <c>#</c> comments skipped). The file is the whole list: the key of a record is its type and value, and an
/// exchange that re-reads the file withdraws what it no longer lists.
/// </summary>
public sealed class LocalFileFormat : IProgramFormat
{
    public ExchangeProgram Program => ExchangeProgram.LocalFile;

    public ProgramPage ParsePage(ReadOnlyMemory<byte> body, string source)
    {
        var records = new List<ProgramRecord>();
        var problems = new List<RecordProblem>();
        using var reader = new StringReader(Encoding.UTF8.GetString(body.Span));
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            Add(++line, text, records, problems);
        }

        return new ProgramPage(records, problems, null, false);
    }

    public async IAsyncEnumerable<ProgramPage> ReadFileAsync(Stream stream, string source, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        var records = new List<ProgramRecord>();
        var problems = new List<RecordProblem>();
        int line = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            Add(++line, text, records, problems);
            if (records.Count + problems.Count >= pageSize)
            {
                yield return new ProgramPage(records, problems, null, true);
                records = [];
                problems = [];
            }
        }

        yield return new ProgramPage(records, problems, null, false);
    }

    private static void Add(int number, string text, List<ProgramRecord> records, List<RecordProblem> problems)
    {
        string line = text.Trim();
        if (line.Length == 0 || line.StartsWith('#'))
        {
            return;
        }

        string where = "line " + number.ToString(CultureInfo.InvariantCulture);
        int space = line.IndexOfAny([' ', '\t']);
        if (space < 0)
        {
            problems.Add(new RecordProblem(where, null, ProblemCodes.MalformedRecord, "expected '<signal_type> <value>' (only one field found)"));
            return;
        }

        string type = line[..space];
        string value = line[(space + 1)..].Trim();
        records.Add(new ProgramRecord(type.ToLowerInvariant() + " " + value, [new ProgramHash(type, value)], new JsonObject { ["signal_type"] = type }, [], null, false, where));
    }
}
