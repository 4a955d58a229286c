namespace Clearinghouse.Hashing.Urls;

/// <summary>
/// Query parameters that only say how a visitor reached a page (campaign tags and click identifiers): dropped from
/// canonical URLs, because they change with every share while the content stays the same. Names are compared
/// without regard to case. The list is in docs/signals.md; extending it changes canonical values, so it is versioned
/// with the code.
/// </summary>
public static class TrackingParameters
{
    /// <summary>Every parameter whose name starts with one of these (Google Analytics / Matomo campaign tags, ...).</summary>
    public static IReadOnlyList<string> Prefixes { get; } = ["utm_"];

    /// <summary>Parameters dropped by exact name.</summary>
    public static IReadOnlySet<string> Names => NameSet;

    private static readonly HashSet<string> NameSet = new(StringComparer.OrdinalIgnoreCase)
    {
        // Matomo (Piwik) campaign tags.
        "pk_campaign", "pk_kwd", "pk_source", "pk_medium", "pk_content", "pk_cid", "mtm_campaign", "mtm_kwd",
        "mtm_source", "mtm_medium", "mtm_content", "mtm_cid", "mtm_group", "mtm_placement",
        // Click identifiers of ad and social platforms.
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid", "twclid", "ttclid",
        "li_fat_id", "igshid", "igsh", "epik", "rdt_cid", "srsltid", "sccid", "scid",
        // E-mail campaign tags (Mailchimp, HubSpot, Marketo, Vero, Oracle Eloqua...).
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "vero_id",
        "vero_conv", "elqtrackid", "elqtrack", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "_openstat",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NameLookup = NameSet.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether a parameter with this (decoded) name is a tracking parameter.</summary>
    public static bool IsTracking(ReadOnlySpan<char> name)
    {
        foreach (string prefix in Prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return NameLookup.Contains(name);
    }
}
