using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Clearinghouse.Exchanges.Programs;

/// <summary>
/// The shared reading of the JSON programs: an API page is an object holding an array of records (its key named by
/// <see cref="PageArrayKey"/>) and where the feed stands; an export file is such a page, a JSON array of records, or
/// one record per line (JSON lines). Each program parses its records and says how the checkpoint advances.
/// </summary>
public abstract class JsonProgramFormat : IProgramFormat
{
    public abstract ExchangeProgram Program { get; }

    /// <summary>The page object's array of records (<c>results</c>, <c>data</c>, <c>hashRecords</c>); null: pages are plain arrays.</summary>
    protected abstract string? PageArrayKey { get; }

    /// <summary>Reads one record; throws <see cref="RecordFormatException"/> when it is corrupt.</summary>
    protected abstract ProgramRecord ParseRecord(JsonElement record, string where);

    /// <summary>The checkpoint once <paramref name="record"/> is applied, from the one before it.</summary>
    protected virtual string? Advance(string? checkpoint, JsonElement record) => checkpoint;

    /// <summary>The checkpoint a page object states (when it states one), else the one its records gave.</summary>
    protected virtual string? PageCheckpoint(JsonElement page, string? fromRecords) => fromRecords;

    /// <summary>Whether the page object says more pages follow.</summary>
    protected virtual bool PageMore(JsonElement page) => false;

    public ProgramPage ParsePage(ReadOnlyMemory<byte> body, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw NotJson(source, ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            JsonElement records = RecordsOf(root, source);
            var page = new PageBuilder(this);
            foreach (JsonElement record in records.EnumerateArray())
            {
                page.Add(record);
            }

            return page.Build(root.ValueKind == JsonValueKind.Object ? PageCheckpoint(root, page.Checkpoint) : page.Checkpoint, root.ValueKind == JsonValueKind.Object && PageMore(root));
        }
    }

    public async IAsyncEnumerable<ProgramPage> ReadFileAsync(Stream stream, string source, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        int first = await FirstByteAsync(stream, cancellationToken).ConfigureAwait(false);
        if (first < 0)
        {
            throw new ExchangeFormatException($"{source}: empty file: expected {Expected}");
        }

        if (first != '[' && first != '{')
        {
            throw new ExchangeFormatException($"{source}: not JSON: expected {Expected}, found '{(char)first}' first");
        }

        IAsyncEnumerable<JsonElement> values = first == '['
            ? JsonSerializer.DeserializeAsyncEnumerable(stream, ExchangeJsonContext.Default.JsonElement, topLevelValues: false, cancellationToken)
            : JsonSerializer.DeserializeAsyncEnumerable(stream, ExchangeJsonContext.Default.JsonElement, topLevelValues: true, cancellationToken);
        var page = new PageBuilder(this);
        await using IAsyncEnumerator<JsonElement> e = values.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            JsonElement value;
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                value = e.Current;
            }
            catch (JsonException ex)
            {
                throw NotJson(source, ex);
            }

            if (first == '{' && page.Index == 0)
            {
                RefuseErrorAnswer(value, source);
            }

            if (first == '{' && PageArrayKey is { } key && value.ValueKind == JsonValueKind.Object && value.TryGetProperty(key, out JsonElement records))
            {
                // A saved API page (or several, one per line): its records, then the checkpoint it states.
                if (records.ValueKind != JsonValueKind.Array)
                {
                    throw new ExchangeFormatException($"{source}: page {page.Index + 1}: '{key}' must be an array");
                }

                foreach (JsonElement record in records.EnumerateArray())
                {
                    page.Add(record);
                    if (page.Count >= pageSize)
                    {
                        yield return page.Build(page.Checkpoint, more: true);
                        page = page.Next();
                    }
                }

                page.Checkpoint = PageCheckpoint(value, page.Checkpoint);
            }
            else
            {
                page.Add(value);
                if (page.Count >= pageSize)
                {
                    yield return page.Build(page.Checkpoint, more: true);
                    page = page.Next();
                }
            }
        }

        yield return page.Build(page.Checkpoint, more: false);
    }

    private string Expected => PageArrayKey is { } key
        ? $"a page object with a '{key}' array, a JSON array of records, or one record per line"
        : "a JSON array of records, or one record per line";

    private JsonElement RecordsOf(JsonElement root, string source)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return root;
        }

        RefuseErrorAnswer(root, source);
        if (root.ValueKind == JsonValueKind.Object && PageArrayKey is { } key)
        {
            if (root.TryGetProperty(key, out JsonElement records) && records.ValueKind == JsonValueKind.Array)
            {
                return records;
            }

            throw new ExchangeFormatException($"{source}: not a {ExchangePrograms.NameOf(Program)} page: the object has no '{key}' array");
        }

        throw new ExchangeFormatException($"{source}: not a {ExchangePrograms.NameOf(Program)} page: expected {Expected}");
    }

    /// <summary>An API error object (<c>{"error": ...}</c>, as the Graph API and others answer) saved in place of a
    /// page is not a record to skip but a page that is not there.</summary>
    private void RefuseErrorAnswer(JsonElement value, string source)
    {
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("error", out JsonElement error)
            && (PageArrayKey is null || !value.TryGetProperty(PageArrayKey, out _)))
        {
            string text = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out JsonElement message)
                ? "{\"message\":" + message.GetRawText() + "}"
                : error.GetRawText();
            throw new ExchangeFormatException($"{source}: the program answered with an error instead of records: {(text.Length > 300 ? text[..300] : text)}");
        }
    }

    private static ExchangeFormatException NotJson(string source, JsonException ex) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{source}: not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message}"), ex);

    /// <summary>The first byte that is not white space (or -1), leaving the stream where it was.</summary>
    private static async Task<int> FirstByteAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable (a file)", nameof(stream));
        }

        long start = stream.Position;
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    // Skip white space and a UTF-8 byte order mark.
                    if (buffer[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
                    {
                        return buffer[i];
                    }
                }
            }

            return -1;
        }
        finally
        {
            stream.Position = start;
        }
    }

    /// <summary>Collects a page's records and problems, numbering records across the whole read.</summary>
    private sealed class PageBuilder(JsonProgramFormat format)
    {
        private readonly List<ProgramRecord> _records = [];
        private readonly List<RecordProblem> _problems = [];

        public int Index { get; private set; }

        public int Count => _records.Count + _problems.Count;

        public string? Checkpoint { get; set; }

        public void Add(JsonElement record)
        {
            Index++;
            string where = "record " + Index.ToString(CultureInfo.InvariantCulture);
            try
            {
                if (record.ValueKind != JsonValueKind.Object)
                {
                    throw new RecordFormatException($"expected a JSON object, found {record.ValueKind}");
                }

                _records.Add(format.ParseRecord(record, where));
                Checkpoint = format.Advance(Checkpoint, record);
            }
            catch (RecordFormatException ex)
            {
                _problems.Add(new RecordProblem(where, ex.Key, ProblemCodes.MalformedRecord, ex.Message));
            }
        }

        public ProgramPage Build(string? checkpoint, bool more) => new(_records, _problems, checkpoint, more);

        public PageBuilder Next() => new(format) { Index = Index, Checkpoint = Checkpoint };
    }

    // --- record fields, with errors that name the field ---------------------------------------------------------

    protected static string RequiredString(JsonElement record, string field, string? key = null) =>
        record.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new RecordFormatException($"field '{field}' must be a non-empty string") { Key = key };

    protected static string? OptionalString(JsonElement record, string field, string? key = null)
    {
        if (!record.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new RecordFormatException($"field '{field}' must be a string") { Key = key };
    }

    protected static bool OptionalBool(JsonElement record, string field, string? key = null)
    {
        if (!record.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            // Some exports write booleans as strings.
            JsonValueKind.String when bool.TryParse(value.GetString(), out bool b) => b,
            _ => throw new RecordFormatException($"field '{field}' must be true or false") { Key = key },
        };
    }

    /// <summary>An identifier given as a number or a string, as text.</summary>
    protected static string RequiredId(JsonElement record, string field) =>
        record.TryGetProperty(field, out JsonElement value) switch
        {
            true when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) => n.ToString(CultureInfo.InvariantCulture),
            true when value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= 256 } text => text,
            _ => throw new RecordFormatException($"field '{field}' must be an identifier (a whole number or a string)"),
        };

    /// <summary>A number given as a JSON number or a numeric string, as the invariant text of a double; null when absent.</summary>
    protected static double? OptionalNumber(JsonElement record, string field, string? key = null)
    {
        if (!record.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            _ => throw new RecordFormatException($"field '{field}' must be a number") { Key = key },
        };
    }

    /// <summary>The strings of an array field (absent: none).</summary>
    protected static List<string> Strings(JsonElement record, string field, string? key = null)
    {
        var result = new List<string>();
        if (!record.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new RecordFormatException($"field '{field}' must be an array of strings") { Key = key };
        }

        foreach (JsonElement item in value.EnumerateArray())
        {
            result.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new RecordFormatException($"field '{field}' must be an array of strings") { Key = key });
        }

        return result;
    }

    protected static JsonArray ToArray(IEnumerable<string> items)
    {
        var array = new JsonArray();
        foreach (string item in items)
        {
            array.Add(item);
        }

        return array;
    }

    protected static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ExchangeJsonContext : JsonSerializerContext;
