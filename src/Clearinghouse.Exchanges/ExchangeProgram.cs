namespace Clearinghouse.Exchanges;

/// <summary>The hash-sharing programs this node imports from.</summary>
public enum ExchangeProgram
{
    /// <summary>python-threatexchange's <c>local_file</c>: <c>&lt;signal_type&gt; &lt;value&gt;</c> lines.</summary>
    LocalFile,

    /// <summary>Hasher-Matcher-Actioner bank content (HMA's content JSON, as its curation API returns it).</summary>
    Hma,

    /// <summary>Meta's ThreatExchange <c>threat_updates</c> (where GIFCT's hash-sharing database is served).</summary>
    ThreatExchange,

    /// <summary>NCMEC's hash-sharing API (XML entries with fingerprints, deleted entries).</summary>
    Ncmec,

    /// <summary>StopNCII.org's FetchHashes records.</summary>
    StopNcii,

    /// <summary>Tech Against Terrorism's TCAP hash list.</summary>
    Tcap,
}

/// <summary>Program names as operators type them and the store keeps them.</summary>
public static class ExchangePrograms
{
    public static IReadOnlyList<string> Names { get; } = ["local_file", "hma", "threatexchange", "ncmec", "stopncii", "tcap"];

    public static string NameOf(ExchangeProgram program) => program switch
    {
        ExchangeProgram.LocalFile => "local_file",
        ExchangeProgram.Hma => "hma",
        ExchangeProgram.ThreatExchange => "threatexchange",
        ExchangeProgram.Ncmec => "ncmec",
        ExchangeProgram.StopNcii => "stopncii",
        _ => "tcap",
    };

    /// <summary>The program named <paramref name="name"/> (a few spellings accepted), or null.</summary>
    public static ExchangeProgram? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "local_file" or "localfile" or "file" => ExchangeProgram.LocalFile,
        "hma" => ExchangeProgram.Hma,
        "threatexchange" or "fb_threatexchange" or "te" => ExchangeProgram.ThreatExchange,
        "ncmec" => ExchangeProgram.Ncmec,
        "stopncii" or "stop_ncii" => ExchangeProgram.StopNcii,
        "tcap" or "tat" or "techagainstterrorism" => ExchangeProgram.Tcap,
        _ => null,
    };

    /// <summary>Whether the program has a live API this node can fetch from (the others are read from files).</summary>
    public static bool HasApi(ExchangeProgram program) => program is ExchangeProgram.ThreatExchange or ExchangeProgram.Ncmec or ExchangeProgram.StopNcii or ExchangeProgram.Tcap;
}
