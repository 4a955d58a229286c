using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clearinghouse.Signals;
using Clearinghouse.Storage;
using nietras.SeparatedValues;

namespace Clearinghouse.Server.Import;

/// <summary>Bulk signal formats the node reads.</summary>
public enum ImportFormat
{
    /// <summary>python-threatexchange <c>local_file</c>: one <c>&lt;signal_type&gt; &lt;value&gt;</c> per line.</summary>
    LocalFile,

    /// <summary>CSV with a header: <c>signal_type,value</c>, optionally <c>designation</c> and <c>metadata</c> (a JSON object).</summary>
    Csv,

    /// <summary>One JSON object per line: <c>{"signal_type", "value", "designation"?, "metadata"?}</c>.</summary>
    JsonLines,
}

/// <summary>A line of an import that parsed, with its 1-based line number.</summary>
public sealed record ParsedSignal(int Line, NewSignal Signal);

/// <summary>A line that was not imported: where, a stable code and a reason a person can act on.</summary>
public sealed record LineRejection(int Line, string Code, string Reason, long? ExistingSignalId = null);

/// <summary>What a parse gave: the signals to add and the lines refused.</summary>
public sealed record ParsedImport(IReadOnlyList<ParsedSignal> Signals, IReadOnlyList<LineRejection> Rejections, int Lines);

/// <summary>Reason codes in import reports and problem documents.</summary>
public static class RejectionCodes
{
    public const string MalformedLine = "malformed_line";
    public const string UnknownSignalType = "unknown_signal_type";
    public const string InvalidValue = "invalid_value";
    public const string InvalidDesignation = "invalid_designation";
    public const string InvalidMetadata = "invalid_metadata";
    public const string DuplicateInImport = "duplicate_in_import";
    public const string Duplicate = "duplicate";
    public const string DesignationRequired = "designation_required";
}

/// <summary>
/// Parses bulk signal files: validates each line (known signal type, value canonicalised by the type, designation
/// shape, metadata a JSON object) and reports every refused line with its number and reason. Nothing is written here.
/// </summary>
public sealed partial class SignalImportParser(SignalTypeRegistry types)
{
    private readonly SignalTypeRegistry _types = types;

    /// <summary>Names the format from a <c>format</c> value or a media type; null when neither is recognised.</summary>
    public static ImportFormat? FormatOf(string? format, string? mediaType)
    {
        string? name = format?.Trim().ToLowerInvariant();
        name ??= mediaType?.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "text/plain" => "local_file",
            "text/csv" => "csv",
            "application/x-ndjson" or "application/jsonl" or "application/jsonlines" or "application/x-jsonlines" => "jsonl",
            _ => null,
        };
        return name switch
        {
            "local_file" or "localfile" or "txt" => ImportFormat.LocalFile,
            "csv" => ImportFormat.Csv,
            "jsonl" or "ndjson" or "json_lines" => ImportFormat.JsonLines,
            _ => null,
        };
    }

    public static string NameOf(ImportFormat format) => format switch
    {
        ImportFormat.LocalFile => "local_file",
        ImportFormat.Csv => "csv",
        _ => "jsonl",
    };

    /// <summary>Checks a designation reference's shape (<c>list:id</c>, e.g. <c>un:QDe.115</c>); null when valid.</summary>
    public static string? DesignationProblem(string designation) =>
        DesignationPattern().IsMatch(designation)
            ? null
            : $"designation '{Shorten(designation)}' is not of the form list:id (for example un:QDe.115): a list name of letters, digits, '-' or '_', a colon, then an identifier without spaces (at most 200 characters)";

    /// <summary>
    /// Parses <paramref name="reader"/>. <paramref name="defaultSignalType"/> is the type of local_file lines that
    /// hold only a value; <paramref name="defaultDesignation"/> applies to lines that carry none.
    /// </summary>
    public ParsedImport Parse(ImportFormat format, TextReader reader, string? defaultSignalType, string? defaultDesignation) =>
        Parse(format, reader, defaultSignalType, defaultDesignation, new Builder(this, defaultDesignation, accepted: null));

    /// <summary>
    /// Parses as <see cref="Parse(ImportFormat, TextReader, string?, string?)"/> does, with the same rejections, but
    /// hands each accepted signal to <paramref name="accepted"/> instead of keeping it, and remembers only a 128-bit
    /// digest and line number per signal for the in-file duplicate check (~40 bytes instead of ~550): memory for a
    /// file of any size stays bounded by its signal count times that, not by its text. The returned import has no
    /// signals. Parsing the same text twice hands over the same signals in the same order.
    /// </summary>
    public ParsedImport Scan(ImportFormat format, TextReader reader, string? defaultSignalType, string? defaultDesignation, Action<ParsedSignal> accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        return Parse(format, reader, defaultSignalType, defaultDesignation, new Builder(this, defaultDesignation, accepted));
    }

    private ParsedImport Parse(ImportFormat format, TextReader reader, string? defaultSignalType, string? defaultDesignation, Builder builder)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (defaultSignalType is not null && !_types.TryGet(defaultSignalType, out _))
        {
            throw new ArgumentException(UnknownType(defaultSignalType), nameof(defaultSignalType));
        }

        switch (format)
        {
            case ImportFormat.LocalFile:
                ParseLocalFile(reader, defaultSignalType, builder);
                break;
            case ImportFormat.Csv:
                ParseCsv(reader, defaultSignalType, builder);
                break;
            default:
                ParseJsonLines(reader, builder);
                break;
        }

        return builder.Build();
    }

    private static void ParseLocalFile(TextReader reader, string? defaultSignalType, Builder builder)
    {
        int number = 0;
        while (reader.ReadLine() is { } raw)
        {
            number++;
            builder.Lines = number;
            string line = raw.Trim();
            if (line.Length == 0 || (defaultSignalType is null && line.StartsWith('#')))
            {
                continue;
            }

            if (defaultSignalType is not null)
            {
                builder.Add(number, defaultSignalType, line, null, null);
                continue;
            }

            // As python-threatexchange reads it: the type is everything before the first space, the value the rest.
            int space = line.IndexOfAny([' ', '\t']);
            if (space < 0)
            {
                builder.Reject(number, RejectionCodes.MalformedLine, "expected '<signal_type> <value>' (only one field found)");
                continue;
            }

            builder.Add(number, line[..space], line[(space + 1)..].Trim(), null, null);
        }
    }

    private static void ParseCsv(TextReader reader, string? defaultSignalType, Builder builder)
    {
        using var csv = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, Trim = SepTrim.All }).From(reader);
        if (csv.Header.IsEmpty)
        {
            return;
        }

        var header = csv.Header;
        int typeColumn = header.TryIndexOf("signal_type", out int t) ? t : -1;
        int valueColumn = header.TryIndexOf("value", out int v) ? v : header.TryIndexOf("signal", out v) ? v : -1;
        int designationColumn = header.TryIndexOf("designation", out int d) ? d : -1;
        int metadataColumn = header.TryIndexOf("metadata", out int m) ? m : -1;
        var known = new HashSet<string>(["signal_type", "value", "signal", "designation", "metadata"], StringComparer.Ordinal);
        var unknown = header.ColNames.Where(c => !known.Contains(c)).ToList();
        if (valueColumn < 0 || (typeColumn < 0 && defaultSignalType is null) || unknown.Count > 0)
        {
            string why = unknown.Count > 0
                ? $"unknown column(s) {string.Join(", ", unknown.Select(c => $"'{c}'"))}"
                : "missing column " + (valueColumn < 0 ? "'value'" : "'signal_type' (or give signal_type as a parameter)");
            builder.Reject(1, RejectionCodes.MalformedLine, $"the header must name the columns signal_type, value and optionally designation, metadata: {why}");
            builder.Fatal = true;
            return;
        }

        builder.Lines = 1;
        int columns = header.ColNames.Count;
        foreach (var row in csv)
        {
            int number = row.LineNumberFrom;
            builder.Lines = row.LineNumberToExcl - 1;
            if (row.ColCount == 1 && row.Span.Trim().Length == 0)
            {
                continue;
            }

            if (row.ColCount != columns)
            {
                builder.Reject(number, RejectionCodes.MalformedLine, $"expected {columns} fields as in the header, found {row.ColCount}");
                continue;
            }

            string type = typeColumn >= 0 ? row[typeColumn].ToString() : defaultSignalType!;
            string? designation = designationColumn >= 0 ? NullIfEmpty(row[designationColumn].ToString()) : null;
            string? metadata = metadataColumn >= 0 ? NullIfEmpty(row[metadataColumn].ToString()) : null;
            builder.Add(number, type, row[valueColumn].ToString(), designation, metadata);
        }
    }

    private static void ParseJsonLines(TextReader reader, Builder builder)
    {
        int number = 0;
        while (reader.ReadLine() is { } raw)
        {
            number++;
            builder.Lines = number;
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            string? type = null, value = null, designation = null, metadata = null;
            string? error = null;
            try
            {
                using var document = JsonDocument.Parse(raw);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    error = "each line must be a JSON object";
                }
                else
                {
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        switch (property.Name)
                        {
                            case "signal_type":
                                type = StringOf(property, ref error);
                                break;
                            case "value":
                            case "signal":
                                value = StringOf(property, ref error);
                                break;
                            case "designation":
                                designation = property.Value.ValueKind == JsonValueKind.Null ? null : StringOf(property, ref error);
                                break;
                            case "metadata":
                                metadata = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.GetRawText();
                                break;
                            default:
                                error ??= $"unknown field '{property.Name}' (known: signal_type, value, designation, metadata)";
                                break;
                        }
                    }
                }
            }
            catch (JsonException ex)
            {
                error = $"invalid JSON: {ex.Message}";
            }

            if (error is null && (type is null || value is null))
            {
                error = $"missing field '{(type is null ? "signal_type" : "value")}'";
            }

            if (error is not null)
            {
                builder.Reject(number, RejectionCodes.MalformedLine, error);
                continue;
            }

            builder.Add(number, type!, value!, designation, metadata);
        }
    }

    private static string? StringOf(JsonProperty property, ref string? error)
    {
        if (property.Value.ValueKind == JsonValueKind.String)
        {
            return property.Value.GetString();
        }

        error ??= $"field '{property.Name}' must be a string";
        return null;
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private string UnknownType(string name) =>
        $"unknown signal type '{Shorten(name)}' (known: {string.Join(", ", _types.All.Select(t => t.Name).Order(StringComparer.Ordinal))})";

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,32}:\S{1,200}$", RegexOptions.CultureInvariant)]
    private static partial Regex DesignationPattern();

    /// <summary>
    /// Collects rejections and accepted signals (or hands them to <paramref name="accepted"/>), validating each
    /// candidate line. In-file duplicates are found by a 128-bit XxHash of (type, value) with its first line: two
    /// different values colliding is about as likely as 10^-20 for a billion signals, and far less memory than the
    /// values themselves.
    /// </summary>
    private sealed class Builder(SignalImportParser parser, string? defaultDesignation, Action<ParsedSignal>? accepted)
    {
        private readonly List<ParsedSignal> _signals = [];
        private readonly List<LineRejection> _rejections = [];
        private readonly Dictionary<UInt128, int> _seen = [];
        private char[] _key = new char[128];

        public int Lines { get; set; }

        /// <summary>The file cannot be read at all (e.g. a bad CSV header).</summary>
        public bool Fatal { get; set; }

        public void Reject(int line, string code, string reason) => _rejections.Add(new LineRejection(line, code, reason));

        public void Add(int line, string typeName, string value, string? designation, string? metadata)
        {
            if (!parser._types.TryGet(typeName, out var type))
            {
                Reject(line, RejectionCodes.UnknownSignalType, parser.UnknownType(typeName));
                return;
            }

            if (!type.TryCanonicalize(value, out var canonical, out var reason))
            {
                Reject(line, RejectionCodes.InvalidValue, $"invalid {type.Name} value: {reason}");
                return;
            }

            designation ??= defaultDesignation;
            if (designation is not null && DesignationProblem(designation) is { } designationProblem)
            {
                Reject(line, RejectionCodes.InvalidDesignation, designationProblem);
                return;
            }

            if (metadata is not null && MetadataProblem(metadata) is { } metadataProblem)
            {
                Reject(line, RejectionCodes.InvalidMetadata, metadataProblem);
                return;
            }

            UInt128 key = KeyOf(type.Name, canonical);
            if (_seen.TryGetValue(key, out int first))
            {
                Reject(line, RejectionCodes.DuplicateInImport, $"the same {type.Name} value is on line {first} of this import");
                return;
            }

            _seen[key] = line;
            var signal = new ParsedSignal(line, new NewSignal(type.Name, canonical, designation, metadata));
            if (accepted is null)
            {
                _signals.Add(signal);
            }
            else
            {
                accepted(signal);
            }
        }

        private UInt128 KeyOf(string type, string value)
        {
            // type, a NUL (no type name contains one, so pairs cannot run together), value: hashed as UTF-16 bytes.
            int length = type.Length + 1 + value.Length;
            if (_key.Length < length)
            {
                _key = new char[Math.Max(length, 2 * _key.Length)];
            }

            type.CopyTo(_key);
            _key[type.Length] = '\0';
            value.CopyTo(_key.AsSpan(type.Length + 1));
            return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(_key.AsSpan(0, length)));
        }

        public ParsedImport Build() => new(_signals, _rejections, Lines);

        private static string? MetadataProblem(string metadata)
        {
            try
            {
                using var document = JsonDocument.Parse(metadata);
                return document.RootElement.ValueKind == JsonValueKind.Object ? null : "metadata must be a JSON object";
            }
            catch (JsonException ex)
            {
                return $"metadata is not valid JSON: {ex.Message}";
            }
        }
    }
}
