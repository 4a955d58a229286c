using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tests;

public sealed class LogEntryTests
{
    private static readonly DateTimeOffset Time = new(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);
    private static readonly string Commitment = new('a', 64);

    /// <summary>One of each event type.</summary>
    public static TheoryData<LogEntry> OneOfEach => new()
    {
        new SignalAdded(0, Time, "sig-1", "pdq", "attack-footage", null, "bank-a", "Example Platform Ltd", Commitment),
        new SignalAdded(1, Time, "sig-2", "md5", "designated-entity", "un:QDe.115", "bank-a", "Example Platform Ltd", Commitment),
        new SignalWithdrawn(2, Time, "sig-1", "Example Platform Ltd", "dispute upheld: lawful news report"),
        new SignalRecategorised(3, Time, "sig-2", "designated-entity", "branded-publication", "un:QDe.115", "Example Platform Ltd", "the publication names no designated entity"),
        new OpinionRecorded(4, Time, "sig-2", "Other Org", "negative"),
        new DisputeFiled(5, Time, "d-1", "sig-2", null),
        new DisputeFiled(6, Time, "d-2", "sig-2", "Other Org"),
        new DisputeResolved(7, Time, "d-1", "sig-2", "rejected", "the content is the entity's own publication"),
        new TaxonomyChanged(8, Time, "2025-03", new string('0', 64), "added category attacker-manifesto"),
        new MemberJoined(9, Time, "Other Org"),
        new MemberLeft(10, Time, "Other Org"),
        new BankCreated(11, Time, "bank-b", "Other Org", "attack-footage", "group:gifct"),
        new BankScopeChanged(12, Time, "bank-b", "Other Org", "all-members"),
        new SignalAdded(13, Time, "sig-3", "pdq", "attack-footage", null, "from-a", "peer:node-a", Commitment, "node-a.example/log", "sig_a1", "Example Platform Ltd"),
    };

    [Fact]
    public void An_imported_signal_carries_all_three_provenance_fields_or_none()
    {
        Assert.Throws<ArgumentException>(() => new SignalAdded(0, Time, "sig-3", "pdq", "attack-footage", null, "from-a", "peer:a", Commitment, "node-a.example/log", null, null));
        string json = System.Text.Encoding.UTF8.GetString(new SignalAdded(0, Time, "sig-3", "pdq", "attack-footage", null, "from-a", "peer:a", Commitment, "node-a.example/log", "sig_a1", "Org").ToCanonicalJson());
        Assert.Contains("\"originLog\":\"node-a.example/log\",\"originMember\":\"Org\",\"originPublicId\":\"sig_a1\"", json, StringComparison.Ordinal);
        Assert.Throws<LogEntryFormatException>(() => LogEntry.Parse(System.Text.Encoding.UTF8.GetBytes(json.Replace(",\"originMember\":\"Org\"", "", StringComparison.Ordinal))));
    }

    [Theory]
    [MemberData(nameof(OneOfEach))]
    public void Every_event_round_trips_through_its_canonical_bytes(LogEntry entry)
    {
        byte[] json = entry.ToCanonicalJson();
        LogEntry parsed = LogEntry.Parse(json);
        Assert.Equal(entry, parsed);
        Assert.Equal(json, parsed.ToCanonicalJson());
        Assert.Equal(Rfc6962.HashLeaf(json), entry.LeafHash());
    }

    [Fact]
    public void The_canonical_form_is_sorted_compact_and_optional_fields_are_absent()
    {
        var entry = new SignalAdded(42, Time, "sig-1", "pdq", "attack-footage", null, "bank-a", "Example Platform Ltd", Commitment);
        Assert.Equal(
            "{\"bank\":\"bank-a\",\"category\":\"attack-footage\",\"commitment\":\"" + Commitment + "\",\"index\":42," +
            "\"member\":\"Example Platform Ltd\",\"publicId\":\"sig-1\",\"signalType\":\"pdq\",\"time\":\"2025-03-04T05:06:07.890Z\"," +
            "\"type\":\"signal-added\",\"v\":1}",
            Encoding.UTF8.GetString(entry.ToCanonicalJson()));
    }

    [Fact]
    public void Strings_are_escaped_as_RFC_8785_does()
    {
        // RFC 8785 §3.2.2.2's example string, and a sample of code points JCS writes literally.
        string rfc = "€$\u000f\nA'B\"\\\\\"/";
        byte[] json = new CanonicalJson().Add("k", rfc).ToUtf8();
        Assert.Equal("{\"k\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}", Encoding.UTF8.GetString(json));

        byte[] more = new CanonicalJson().Add("k", "\b\f\r\t\u0000\u001f\u007f\u2028😀<>&").ToUtf8();
        Assert.Equal("{\"k\":\"\\b\\f\\r\\t\\u0000\\u001f\u007f\u2028😀<>&\"}", Encoding.UTF8.GetString(more));
        Assert.Throws<ArgumentException>(() => new CanonicalJson().Add("k", "\ud800").ToUtf8());
    }

    [Fact]
    public void Member_names_sort_by_UTF16_code_units_as_RFC_8785_does()
    {
        // RFC 8785 §3.2.3's sorting example.
        var json = new CanonicalJson();
        foreach (string name in new[] { "\u20ac", "\r", "\ufb33", "1", "\ud83d\ude00", "\u0080", "\u00f6" })
        {
            json.Add(name, 0);
        }

        Assert.Equal("{\"\\r\":0,\"1\":0,\"\u0080\":0,\"ö\":0,\"€\":0,\"😀\":0,\"\ufb33\":0}", Encoding.UTF8.GetString(json.ToUtf8()));
    }

    [Fact]
    public void Time_is_UTC_to_the_millisecond()
    {
        var local = new DateTimeOffset(2025, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(8_901_234);
        var entry = new MemberJoined(0, local, "Org");
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero), entry.Time);
        Assert.Contains("\"time\":\"2025-03-04T05:06:07.890Z\"", Encoding.UTF8.GetString(entry.ToCanonicalJson()), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> NonCanonical => new()
    {
        { "{\"index\":0, \"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "canonical" },
        { "{\"member\":\"Org\",\"index\":0,\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "canonical" },
        { "{\"index\":0,\"member\":\"\\u004frg\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "canonical" },
        { "{\"index\":0,\"member\":\"O\\/rg\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "canonical" },
        { "{\"index\":0.0,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "integer" },
        { "{\"index\":1e0,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "integer" },
        { "{\"index\":0,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1.0}", "integer" },
        { "{\"index\":0,\"member\":\"Org\",\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "twice" },
        { "{\"index\":0,\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "no 'member'" },
        { "{\"extra\":\"x\",\"index\":0,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "no member 'extra'" },
        { "{\"index\":0,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-promoted\",\"v\":1}", "unknown entry type" },
        { "{\"index\":0,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":2}", "version 2" },
        { "{\"index\":0,\"member\":\"Org\",\"time\":\"2025-03-04 05:06:07Z\",\"type\":\"member-joined\",\"v\":1}", "yyyy-MM-dd" },
        { "{\"index\":0,\"member\":null,\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "must be a string" },
        { "{\"index\":0,\"member\":{\"a\":1},\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "must be a string" },
        { "{\"index\":0,\"member\":\"\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "1 to 256" },
        { "{\"index\":-1,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}", "index" },
        { "[1]", "JSON object" },
        { "{\"index\":0,", "not JSON" },
        { "{\"disputeId\":\"d\",\"index\":0,\"outcome\":\"maybe\",\"publicId\":\"s\",\"reason\":\"r\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"dispute-resolved\",\"v\":1}", "upheld, rejected" },
    };

    [Theory]
    [MemberData(nameof(NonCanonical))]
    public void Non_canonical_or_invalid_entries_are_rejected_precisely(string json, string expected)
    {
        var e = Assert.Throws<LogEntryFormatException>(() => LogEntry.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_UTF8_is_rejected()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"index\":0,\"member\":\"Org\",\"time\":\"2025-03-04T05:06:07.890Z\",\"type\":\"member-joined\",\"v\":1}");
        json[22] = 0xff;
        var e = Assert.Throws<LogEntryFormatException>(() => LogEntry.Parse(json));
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commitments_open_only_with_the_right_value_and_salt()
    {
        byte[] salt = ValueCommitment.NewSalt();
        const string value = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        string commitment = ValueCommitment.Compute(salt, value);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(value)])), commitment);
        Assert.True(ValueCommitment.Matches(commitment, salt, value));
        Assert.False(ValueCommitment.Matches(commitment, salt, value[..^1] + "3"));
        byte[] otherSalt = (byte[])salt.Clone();
        otherSalt[0] ^= 1;
        Assert.False(ValueCommitment.Matches(commitment, otherSalt, value));
        Assert.False(ValueCommitment.Matches(commitment.ToUpperInvariant(), salt, value));
        Assert.False(ValueCommitment.Matches(commitment, salt.AsSpan(1), value));
        Assert.Throws<ArgumentException>(() => ValueCommitment.Compute(new byte[16], value));
        Assert.Throws<ArgumentException>(() => new SignalAdded(0, Time, "s", "pdq", "c", null, "b", "m", value.ToUpperInvariant()));
    }

    [Fact]
    public void Entry_times_are_written_exactly_as_the_documented_format_for_any_instant()
    {
        var random = new Random(11);
        DateTime[] edges = [DateTime.MinValue, DateTime.MaxValue, new(2026, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc), new(999, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc)];
        IEnumerable<DateTime> instants = edges.Concat(Enumerable.Range(0, 20_000).Select(_ => new DateTime(random.NextInt64(DateTime.MaxValue.Ticks), DateTimeKind.Utc)));
        foreach (DateTime instant in instants)
        {
            Assert.Equal(instant.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), LogEntry.FormatTime(instant));
        }
    }
}
