using System.Globalization;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Entries;

/// <summary>
/// One event of the transparency log. An entry's bytes are its canonical JSON (<see cref="CanonicalJson"/>): a flat
/// object with "v" (format version, 1), "index" (its position in the log), "type", "time" (UTC, milliseconds,
/// <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>) and the event's fields, camelCase; optional fields are absent, never null. The
/// leaf hash is SHA-256(0x00 ‖ those bytes). Carrying its own index makes a dropped or reordered entry visible from
/// the entries alone. No entry has a field for a person; members are organisations, and signal values appear only as
/// salted commitments.
/// </summary>
public abstract record LogEntry
{
    /// <summary>The "v" of entries this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    protected LogEntry(long index, DateTimeOffset time)
    {
        if (index < 0 || index > CanonicalJson.MaxSafeInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "an entry index is between 0 and 2^53 - 1");
        }

        Index = index;
        DateTimeOffset utc = time.ToUniversalTime();
        Time = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>The entry's position in the log (its leaf index).</summary>
    public long Index { get; }

    /// <summary>When the event happened: UTC, truncated to the millisecond (what the canonical form can carry).</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The wire name of the event type, e.g. "signal-added".</summary>
    public abstract string Type { get; }

    /// <summary>The canonical JSON bytes: what the log stores, serves and hashes.</summary>
    public byte[] ToCanonicalJson()
    {
        var json = new CanonicalJson()
            .Add("v", FormatVersion)
            .Add("index", Index)
            .Add("type", Type)
            .Add("time", FormatTime(Time.UtcDateTime));
        WriteFields(json);
        return json.ToUtf8();
    }

    /// <summary>SHA-256(0x00 ‖ canonical JSON).</summary>
    public MerkleHash LeafHash() => Rfc6962.HashLeaf(ToCanonicalJson());

    /// <summary>Parses an entry, accepting only its canonical bytes.</summary>
    /// <exception cref="LogEntryFormatException">Not JSON, not a known event, a field missing, extra or invalid,
    /// or not in canonical form.</exception>
    public static LogEntry Parse(ReadOnlySpan<byte> utf8) => LogEntryParser.Parse(utf8);

    /// <summary>
    /// <paramref name="utc"/> as <see cref="TimeFormat"/> writes it, digit by digit: a custom format string costs more
    /// than the rest of an entry's canonical form, and a bulk import writes one entry per signal.
    /// </summary>
    internal static string FormatTime(DateTime utc) => string.Create(24, utc, static (chars, t) =>
    {
        Digits(chars[..4], t.Year);
        chars[4] = '-';
        Digits(chars.Slice(5, 2), t.Month);
        chars[7] = '-';
        Digits(chars.Slice(8, 2), t.Day);
        chars[10] = 'T';
        Digits(chars.Slice(11, 2), t.Hour);
        chars[13] = ':';
        Digits(chars.Slice(14, 2), t.Minute);
        chars[16] = ':';
        Digits(chars.Slice(17, 2), t.Second);
        chars[19] = '.';
        Digits(chars.Slice(20, 3), t.Millisecond);
        chars[23] = 'Z';
    });

    private static void Digits(Span<char> into, int value)
    {
        for (int i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    internal static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    private protected abstract void WriteFields(CanonicalJson json);
}

/// <summary>
/// A signal was added to a bank. Carries the salted commitment to its value, never the value. A signal imported from
/// another node (federation) also names where it came from: the origin log (its checkpoint origin line), the signal's
/// public id there and its contributor there; all three or none.
/// </summary>
public sealed record SignalAdded(
    long Index, DateTimeOffset Time, string PublicId, string SignalType, string Category, string? Designation, string Bank, string Member, string Commitment,
    string? OriginLog = null, string? OriginPublicId = null, string? OriginMember = null)
    : LogEntry(Index, Time)
{
    public string PublicId { get; } = EntryField.Identifier(PublicId, "publicId");

    public string SignalType { get; } = EntryField.Identifier(SignalType, "signalType");

    public string Category { get; } = EntryField.Identifier(Category, "category");

    /// <summary>A designation reference such as <c>un:QDe.115</c>, when the category requires one.</summary>
    public string? Designation { get; } = EntryField.OptionalIdentifier(Designation, "designation");

    public string Bank { get; } = EntryField.Identifier(Bank, "bank");

    /// <summary>The contributing member organisation.</summary>
    public string Member { get; } = EntryField.Identifier(Member, "member");

    /// <summary>SHA-256(salt ‖ value), lowercase hex (<see cref="ValueCommitment"/>).</summary>
    public string Commitment { get; } = EntryField.Commitment(Commitment, "commitment");

    /// <summary>For an imported signal: the origin node's log (checkpoint origin line).</summary>
    public string? OriginLog { get; } = Provenance(OriginLog, OriginPublicId, OriginMember, "originLog");

    /// <summary>For an imported signal: its public id on the origin node.</summary>
    public string? OriginPublicId { get; } = Provenance(OriginPublicId, OriginLog, OriginMember, "originPublicId");

    /// <summary>For an imported signal: the member that contributed it on the origin node.</summary>
    public string? OriginMember { get; } = Provenance(OriginMember, OriginLog, OriginPublicId, "originMember");

    public override string Type => "signal-added";

    private protected override void WriteFields(CanonicalJson json) => json
        .Add("publicId", PublicId).Add("signalType", SignalType).Add("category", Category)
        .AddOptional("designation", Designation).Add("bank", Bank).Add("member", Member).Add("commitment", Commitment)
        .AddOptional("originLog", OriginLog).AddOptional("originPublicId", OriginPublicId).AddOptional("originMember", OriginMember);

    private static string? Provenance(string? value, string? other1, string? other2, string field) =>
        (value is null) == (other1 is null) && (value is null) == (other2 is null)
            ? EntryField.OptionalIdentifier(value, field)
            : throw new ArgumentException($"'{field}': originLog, originPublicId and originMember come together or not at all", field);
}

/// <summary>A signal was withdrawn (by its contributor, or because a dispute was upheld).</summary>
public sealed record SignalWithdrawn(long Index, DateTimeOffset Time, string PublicId, string Member, string Reason) : LogEntry(Index, Time)
{
    public string PublicId { get; } = EntryField.Identifier(PublicId, "publicId");

    /// <summary>The member who withdrew it.</summary>
    public string Member { get; } = EntryField.Identifier(Member, "member");

    public string Reason { get; } = EntryField.Text(Reason, "reason");

    public override string Type => "signal-withdrawn";

    private protected override void WriteFields(CanonicalJson json) =>
        json.Add("publicId", PublicId).Add("member", Member).Add("reason", Reason);
}

/// <summary>A signal was moved to another category (or designation), by a member, for a public reason.</summary>
public sealed record SignalRecategorised(
    long Index, DateTimeOffset Time, string PublicId, string PreviousCategory, string Category, string? Designation, string Member, string Reason)
    : LogEntry(Index, Time)
{
    public string PublicId { get; } = EntryField.Identifier(PublicId, "publicId");

    public string PreviousCategory { get; } = EntryField.Identifier(PreviousCategory, "previousCategory");

    public string Category { get; } = EntryField.Identifier(Category, "category");

    public string? Designation { get; } = EntryField.OptionalIdentifier(Designation, "designation");

    public string Member { get; } = EntryField.Identifier(Member, "member");

    public string Reason { get; } = EntryField.Text(Reason, "reason");

    public override string Type => "signal-recategorised";

    private protected override void WriteFields(CanonicalJson json) => json
        .Add("publicId", PublicId).Add("previousCategory", PreviousCategory).Add("category", Category)
        .AddOptional("designation", Designation).Add("member", Member).Add("reason", Reason);
}

/// <summary>A member recorded an opinion on a signal: "positive", "negative" (false positive) or "investigation-seed".</summary>
public sealed record OpinionRecorded(long Index, DateTimeOffset Time, string PublicId, string Member, string Opinion) : LogEntry(Index, Time)
{
    public static readonly IReadOnlyList<string> Opinions = ["positive", "negative", "investigation-seed"];

    public string PublicId { get; } = EntryField.Identifier(PublicId, "publicId");

    public string Member { get; } = EntryField.Identifier(Member, "member");

    public string Opinion { get; } = EntryField.OneOf(Opinion, "opinion", Opinions);

    public override string Type => "opinion-recorded";

    private protected override void WriteFields(CanonicalJson json) =>
        json.Add("publicId", PublicId).Add("member", Member).Add("opinion", Opinion);
}

/// <summary>A dispute was filed against a signal, by a member or (FiledBy absent) by an outside party, who is never named.</summary>
public sealed record DisputeFiled(long Index, DateTimeOffset Time, string DisputeId, string PublicId, string? FiledBy) : LogEntry(Index, Time)
{
    public string DisputeId { get; } = EntryField.Identifier(DisputeId, "disputeId");

    public string PublicId { get; } = EntryField.Identifier(PublicId, "publicId");

    /// <summary>The filing member organisation; absent for an outside party.</summary>
    public string? FiledBy { get; } = EntryField.OptionalIdentifier(FiledBy, "filedBy");

    public override string Type => "dispute-filed";

    private protected override void WriteFields(CanonicalJson json) =>
        json.Add("disputeId", DisputeId).Add("publicId", PublicId).AddOptional("filedBy", FiledBy);
}

/// <summary>A dispute was resolved: "upheld" (the signal is withdrawn) or "rejected", with the public reason.</summary>
public sealed record DisputeResolved(long Index, DateTimeOffset Time, string DisputeId, string PublicId, string Outcome, string Reason) : LogEntry(Index, Time)
{
    public static readonly IReadOnlyList<string> Outcomes = ["upheld", "rejected"];

    public string DisputeId { get; } = EntryField.Identifier(DisputeId, "disputeId");

    public string PublicId { get; } = EntryField.Identifier(PublicId, "publicId");

    public string Outcome { get; } = EntryField.OneOf(Outcome, "outcome", Outcomes);

    public string Reason { get; } = EntryField.Text(Reason, "reason");

    public override string Type => "dispute-resolved";

    private protected override void WriteFields(CanonicalJson json) =>
        json.Add("disputeId", DisputeId).Add("publicId", PublicId).Add("outcome", Outcome).Add("reason", Reason);
}

/// <summary>The published taxonomy changed to a new version (its file's SHA-256 in hex, so the text is pinned).</summary>
public sealed record TaxonomyChanged(long Index, DateTimeOffset Time, string TaxonomyVersion, string TaxonomyDigest, string Summary) : LogEntry(Index, Time)
{
    public string TaxonomyVersion { get; } = EntryField.Identifier(TaxonomyVersion, "taxonomyVersion");

    public string TaxonomyDigest { get; } = EntryField.Commitment(TaxonomyDigest, "taxonomyDigest");

    public string Summary { get; } = EntryField.Text(Summary, "summary");

    public override string Type => "taxonomy-changed";

    private protected override void WriteFields(CanonicalJson json) =>
        json.Add("taxonomyVersion", TaxonomyVersion).Add("taxonomyDigest", TaxonomyDigest).Add("summary", Summary);
}

/// <summary>A member organisation joined.</summary>
public sealed record MemberJoined(long Index, DateTimeOffset Time, string Member) : LogEntry(Index, Time)
{
    public string Member { get; } = EntryField.Identifier(Member, "member");

    public override string Type => "member-joined";

    private protected override void WriteFields(CanonicalJson json) => json.Add("member", Member);
}

/// <summary>A member organisation left.</summary>
public sealed record MemberLeft(long Index, DateTimeOffset Time, string Member) : LogEntry(Index, Time)
{
    public string Member { get; } = EntryField.Identifier(Member, "member");

    public override string Type => "member-left";

    private protected override void WriteFields(CanonicalJson json) => json.Add("member", Member);
}

/// <summary>A bank was created under one category with a sharing scope.</summary>
public sealed record BankCreated(long Index, DateTimeOffset Time, string Bank, string Member, string Category, string Scope) : LogEntry(Index, Time)
{
    public string Bank { get; } = EntryField.Identifier(Bank, "bank");

    public string Member { get; } = EntryField.Identifier(Member, "member");

    public string Category { get; } = EntryField.Identifier(Category, "category");

    /// <summary>"private", "all-members" or "group:&lt;name&gt;".</summary>
    public string Scope { get; } = EntryField.Scope(Scope, "scope");

    public override string Type => "bank-created";

    private protected override void WriteFields(CanonicalJson json) =>
        json.Add("bank", Bank).Add("member", Member).Add("category", Category).Add("scope", Scope);
}

/// <summary>A bank's sharing scope changed.</summary>
public sealed record BankScopeChanged(long Index, DateTimeOffset Time, string Bank, string Member, string Scope) : LogEntry(Index, Time)
{
    public string Bank { get; } = EntryField.Identifier(Bank, "bank");

    public string Member { get; } = EntryField.Identifier(Member, "member");

    public string Scope { get; } = EntryField.Scope(Scope, "scope");

    public override string Type => "bank-scope-changed";

    private protected override void WriteFields(CanonicalJson json) =>
        json.Add("bank", Bank).Add("member", Member).Add("scope", Scope);
}
