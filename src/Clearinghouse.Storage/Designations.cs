namespace Clearinghouse.Storage;

// Designation lists (the UN Security Council Consolidated List, OFAC's SDN list, ...): the entries a signal's
// designation reference ("un:QDe.115") can name. Only what a reference needs is kept: an entity's name helps a
// reviewer; an individual is a reference and a kind, nothing that identifies the person.

/// <summary>Whether a designation list entry is an organisation or a person.</summary>
public enum DesignationKind
{
    Entity,
    Individual,
}

/// <summary>One entry of a list, as an import reads it.</summary>
/// <param name="Reference">The list's own identifier, e.g. <c>QDe.115</c> (UN) or <c>36216</c> (an OFAC uid).</param>
/// <param name="ListedOn">When the list says the entry was designated, if it says.</param>
/// <param name="Name">An entity's primary name; must be null for an individual.</param>
public sealed record NewDesignation(string Reference, DesignationKind Kind, DateOnly? ListedOn, string? Name);

/// <summary>A stored list entry.</summary>
/// <param name="FirstSeenAt">The import that first held it.</param>
/// <param name="LastSeenAt">The latest import of its list that held it.</param>
/// <param name="DelistedAt">The first import of its list that no longer held it; null while it is listed.</param>
public sealed record Designation(
    long Id,
    string List,
    string Reference,
    DesignationKind Kind,
    DateOnly? ListedOn,
    string? Name,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? DelistedAt)
{
    /// <summary>The reference as signals carry it: <c>list:reference</c>.</summary>
    public string Key => List + ":" + Reference;

    public bool Listed => DelistedAt is null;
}

/// <summary>What importing a full list did, compared with the list as stored before.</summary>
/// <param name="Relisted">Entries that had been delisted and are on the list again (also counted in <paramref name="Updated"/>).</param>
public sealed record DesignationImportResult(string List, int Entries, int Added, int Updated, int Unchanged, int Delisted, int Relisted);

/// <summary>A list the store holds: how many entries are listed and delisted, and when it was last imported.</summary>
public sealed record DesignationListSummary(string List, int Listed, int Delisted, DateTimeOffset LastImportedAt);
