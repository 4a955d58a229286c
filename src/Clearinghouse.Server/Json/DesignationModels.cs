using System.Text.Json.Serialization;
using Clearinghouse.Server.Designations;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Json;

/// <summary>An entry of a designation list: an entity with its name, an individual as its reference alone.</summary>
/// <param name="Designation">The reference as signals carry it, e.g. <c>un:QDe.115</c>.</param>
/// <param name="Kind"><c>entity</c> or <c>individual</c>.</param>
public sealed record DesignationInfo(
    string Designation,
    string List,
    string Reference,
    string Kind,
    DateOnly? ListedOn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    bool Listed,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? DelistedAt)
{
    public static DesignationInfo From(Designation d) =>
        new(d.Key, d.List, d.Reference, d.Kind == DesignationKind.Entity ? "entity" : "individual", d.ListedOn, d.Name, d.Listed, d.FirstSeenAt, d.LastSeenAt, d.DelistedAt);
}

/// <summary>A designation list the node holds.</summary>
public sealed record DesignationListInfo(string List, int Listed, int Delisted, DateTimeOffset LastImportedAt)
{
    public static DesignationListInfo From(DesignationListSummary s) => new(s.List, s.Listed, s.Delisted, s.LastImportedAt);
}

/// <summary>What importing a list did (<c>clearinghouse designations import --json</c> and <c>PUT /api/v1/designations/un</c>).</summary>
/// <param name="Generated">The list's own date (UN: <c>dateGenerated</c>), when it has one.</param>
public sealed record DesignationImportReport(string List, string? Generated, int Entries, int Added, int Updated, int Unchanged, int Delisted, int Relisted)
{
    public static DesignationImportReport From(DesignationImportResult r, string? generated) =>
        new(r.List, generated, r.Entries, r.Added, r.Updated, r.Unchanged, r.Delisted, r.Relisted);
}

/// <summary>What an OFAC import did (<c>clearinghouse import-ofac --json</c> and <c>POST /api/v1/banks/{name}/signals/import-ofac</c>).</summary>
public sealed record OfacImportReport(
    string Bank,
    string? Published,
    IReadOnlyList<string> Programs,
    int Entries,
    int SelectedEntries,
    int Addresses,
    int OtherProgramAddresses,
    int Added,
    int AlreadyPresent,
    int MappedToUn,
    int Rejected,
    DesignationImportReport OfacDesignations,
    IReadOnlyList<ImportRejectionInfo> Rejections)
{
    public static OfacImportReport From(OfacImportResult r) =>
        new(
            r.Bank,
            r.Published,
            r.Programs,
            r.Entries,
            r.SelectedEntries,
            r.Addresses,
            r.OtherProgramAddresses,
            r.Added,
            r.AlreadyPresent,
            r.MappedToUn,
            r.Rejections.Count,
            DesignationImportReport.From(r.Designations, r.Published),
            [.. r.Rejections.Select(x => new ImportRejectionInfo(x.Line, x.Code, x.Reason, x.ExistingSignalId))]);
}
