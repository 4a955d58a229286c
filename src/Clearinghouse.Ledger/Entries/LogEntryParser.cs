using System.Text.Json;

namespace Clearinghouse.Ledger.Entries;

/// <summary>
/// Reads entries back: JSON → fields → the event record → its canonical bytes, which must equal the input. That last
/// step rejects anything another serialiser might let through (white space, key order, escapes, duplicate keys,
/// number spellings), so one entry has one byte form and one leaf hash.
/// </summary>
internal static class LogEntryParser
{
    /// <summary>Largest entry accepted (bytes): the longest fields fit many times over.</summary>
    public const int MaxEntryBytes = 64 * 1024;

    private static readonly JsonDocumentOptions Strict = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 2,
    };

    private static readonly Dictionary<string, Func<Fields, LogEntry>> Factories = new(StringComparer.Ordinal)
    {
        ["signal-added"] = f => new SignalAdded(f.Index, f.Time, f.Text("publicId"), f.Text("signalType"), f.Text("category"),
            f.OptionalText("designation"), f.Text("bank"), f.Text("member"), f.Text("commitment"),
            f.OptionalText("originLog"), f.OptionalText("originPublicId"), f.OptionalText("originMember")),
        ["signal-withdrawn"] = f => new SignalWithdrawn(f.Index, f.Time, f.Text("publicId"), f.Text("member"), f.Text("reason")),
        ["signal-recategorised"] = f => new SignalRecategorised(f.Index, f.Time, f.Text("publicId"), f.Text("previousCategory"),
            f.Text("category"), f.OptionalText("designation"), f.Text("member"), f.Text("reason")),
        ["opinion-recorded"] = f => new OpinionRecorded(f.Index, f.Time, f.Text("publicId"), f.Text("member"), f.Text("opinion")),
        ["dispute-filed"] = f => new DisputeFiled(f.Index, f.Time, f.Text("disputeId"), f.Text("publicId"), f.OptionalText("filedBy")),
        ["dispute-resolved"] = f => new DisputeResolved(f.Index, f.Time, f.Text("disputeId"), f.Text("publicId"), f.Text("outcome"), f.Text("reason")),
        ["taxonomy-changed"] = f => new TaxonomyChanged(f.Index, f.Time, f.Text("taxonomyVersion"), f.Text("taxonomyDigest"), f.Text("summary")),
        ["member-joined"] = f => new MemberJoined(f.Index, f.Time, f.Text("member")),
        ["member-left"] = f => new MemberLeft(f.Index, f.Time, f.Text("member")),
        ["bank-created"] = f => new BankCreated(f.Index, f.Time, f.Text("bank"), f.Text("member"), f.Text("category"), f.Text("scope")),
        ["bank-scope-changed"] = f => new BankScopeChanged(f.Index, f.Time, f.Text("bank"), f.Text("member"), f.Text("scope")),
    };

    public static LogEntry Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxEntryBytes)
        {
            throw new LogEntryFormatException($"the entry is {utf8.Length} bytes; at most {MaxEntryBytes} are accepted");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new LogEntryFormatException("the entry is not valid UTF-8");
        }

        byte[] bytes = utf8.ToArray();
        LogEntry entry;
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes, Strict);
            var fields = new Fields(document.RootElement);
            string type = fields.Text("type");
            if (!Factories.TryGetValue(type, out var factory))
            {
                throw new LogEntryFormatException($"unknown entry type '{type}'");
            }

            entry = factory(fields);
            fields.EnsureAllRead(type);
        }
        catch (JsonException e)
        {
            throw new LogEntryFormatException($"the entry is not JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new LogEntryFormatException($"invalid entry field: {e.Message}", e);
        }

        if (!entry.ToCanonicalJson().AsSpan().SequenceEqual(utf8))
        {
            throw new LogEntryFormatException(
                $"entry {entry.Index} is not in canonical form (members sorted, no white space, minimal escapes, no duplicates)");
        }

        return entry;
    }

    /// <summary>The members of the entry object, each to be read exactly once.</summary>
    private sealed class Fields
    {
        private readonly Dictionary<string, JsonElement> _members = new(StringComparer.Ordinal);
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public Fields(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LogEntryFormatException($"an entry is a JSON object, not {root.ValueKind}");
            }

            foreach (var member in root.EnumerateObject())
            {
                if (!_members.TryAdd(member.Name, member.Value))
                {
                    throw new LogEntryFormatException($"the entry has member '{member.Name}' twice");
                }
            }

            long version = Integer("v");
            if (version != LogEntry.FormatVersion)
            {
                throw new LogEntryFormatException($"entry format version {version} is not supported (this reader knows {LogEntry.FormatVersion})");
            }

            Index = Integer("index");
            string time = Text("time");
            if (!LogEntry.TryParseTime(time, out var parsed))
            {
                throw new LogEntryFormatException($"entry time '{time}' is not yyyy-MM-ddTHH:mm:ss.fffZ");
            }

            Time = parsed;
        }

        public long Index { get; }

        public DateTimeOffset Time { get; }

        public string Text(string name) =>
            OptionalText(name) ?? throw new LogEntryFormatException($"the entry has no '{name}'");

        public string? OptionalText(string name)
        {
            if (!_members.TryGetValue(name, out var value))
            {
                return null;
            }

            _read.Add(name);
            return value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw new LogEntryFormatException($"entry member '{name}' must be a string, not {value.ValueKind}");
        }

        public void EnsureAllRead(string type)
        {
            foreach (string name in _members.Keys)
            {
                if (!_read.Contains(name))
                {
                    throw new LogEntryFormatException($"a {type} entry has no member '{name}'");
                }
            }
        }

        private long Integer(string name)
        {
            if (!_members.TryGetValue(name, out var value))
            {
                throw new LogEntryFormatException($"the entry has no '{name}'");
            }

            _read.Add(name);
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
            {
                throw new LogEntryFormatException($"entry member '{name}' must be an integer, not {value.GetRawText()}");
            }

            return number;
        }
    }
}

/// <summary>An entry's bytes are not a canonical log entry.</summary>
public sealed class LogEntryFormatException : FormatException
{
    public LogEntryFormatException()
    {
    }

    public LogEntryFormatException(string message)
        : base(message)
    {
    }

    public LogEntryFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
