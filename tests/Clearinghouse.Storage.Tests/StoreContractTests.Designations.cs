namespace Clearinghouse.Storage.Tests;

public abstract partial class StoreContractTests
{
    private static readonly NewDesignation AlQaida = new("QDe.004", DesignationKind.Entity, new DateOnly(2001, 10, 6), "Al-Qaida");
    private static readonly NewDesignation Person = new("QDi.006", DesignationKind.Individual, new DateOnly(2001, 1, 25), null);
    private static readonly NewDesignation Front = new("QDe.115", DesignationKind.Entity, new DateOnly(2004, 1, 26), "Jemmah Anshorut Tauhid");

    [Fact]
    public async Task A_designation_list_is_stored_and_read_back_by_reference()
    {
        DesignationImportResult result = await Store.ReplaceDesignationListAsync("un", [AlQaida, Person, Front]);
        Assert.Equal(new DesignationImportResult("un", 3, 3, 0, 0, 0, 0), result);

        IReadOnlyList<Designation> found = await Store.GetDesignationsAsync(["un:QDe.115", "un:QDi.006", "un:QDe.999", "ofac:QDe.115", "nonsense", "un:"]);
        Assert.Equal(["un:QDe.115", "un:QDi.006"], found.Select(d => d.Key).Order(StringComparer.Ordinal));
        Designation front = found.Single(d => d.Reference == "QDe.115");
        Assert.Equal((DesignationKind.Entity, new DateOnly(2004, 1, 26), "Jemmah Anshorut Tauhid", true), (front.Kind, front.ListedOn, front.Name, front.Listed));
        Designation person = found.Single(d => d.Reference == "QDi.006");
        Assert.Equal((DesignationKind.Individual, (string?)null), (person.Kind, person.Name));

        DesignationListSummary summary = Assert.Single(await Store.ListDesignationListsAsync());
        Assert.Equal(("un", 3, 0), (summary.List, summary.Listed, summary.Delisted));

        Page<Designation> first = await Store.ListDesignationsAsync("un", 0, 2);
        Assert.Equal(["QDe.004", "QDi.006"], first.Items.Select(d => d.Reference));
        Page<Designation> second = await Store.ListDesignationsAsync("un", first.NextAfter!.Value, 2);
        Assert.Equal(["QDe.115"], second.Items.Select(d => d.Reference));
        Assert.Null(second.NextAfter);
    }

    [Fact]
    public async Task A_new_copy_of_a_list_adds_updates_and_delists_and_a_later_one_relists()
    {
        await Store.ReplaceDesignationListAsync("un", [AlQaida, Person, Front]);
        var renamed = AlQaida with { Name = "Al-Qaida (the base)" };
        DesignationImportResult second = await Store.ReplaceDesignationListAsync("un", [renamed, Person]);
        Assert.Equal(new DesignationImportResult("un", 2, 0, 1, 1, 1, 0), second);

        Designation delisted = Assert.Single(await Store.GetDesignationsAsync(["un:QDe.115"]));
        Assert.False(delisted.Listed);
        Assert.Equal("Al-Qaida (the base)", Assert.Single(await Store.GetDesignationsAsync(["un:QDe.004"])).Name);
        DesignationListSummary summary = Assert.Single(await Store.ListDesignationListsAsync());
        Assert.Equal((2, 1), (summary.Listed, summary.Delisted));

        DesignationImportResult third = await Store.ReplaceDesignationListAsync("un", [renamed, Person, Front]);
        Assert.Equal(new DesignationImportResult("un", 3, 0, 1, 2, 0, 1), third);
        Assert.True(Assert.Single(await Store.GetDesignationsAsync(["un:QDe.115"])).Listed);
    }

    [Fact]
    public async Task Lists_are_separate()
    {
        await Store.ReplaceDesignationListAsync("un", [AlQaida]);
        await Store.ReplaceDesignationListAsync("ofac", [new NewDesignation("6365", DesignationKind.Entity, null, "AL QA'IDA")]);
        DesignationImportResult emptyOfac = await Store.ReplaceDesignationListAsync("ofac", []);
        Assert.Equal(1, emptyOfac.Delisted);
        Assert.True(Assert.Single(await Store.GetDesignationsAsync(["un:QDe.004"])).Listed);
        Assert.Equal(["ofac", "un"], (await Store.ListDesignationListsAsync()).Select(s => s.List));
    }

    [Fact]
    public async Task A_bad_list_writes_nothing_and_an_individual_is_never_stored_with_a_name()
    {
        await Refused(StoreError.Invalid, () => Store.ReplaceDesignationListAsync("UN", [AlQaida]));
        await Refused(StoreError.Invalid, () => Store.ReplaceDesignationListAsync("un", [AlQaida, AlQaida]));
        await Refused(StoreError.Invalid, () => Store.ReplaceDesignationListAsync("un", [AlQaida, AlQaida with { Reference = "QDe 4" }]));
        await Refused(StoreError.Invalid, () => Store.ReplaceDesignationListAsync("un", [AlQaida, AlQaida with { Reference = "" }]));
        StoreException e = await Refused(StoreError.Invalid, () => Store.ReplaceDesignationListAsync("un", [AlQaida, Person with { Name = "A Person" }]));
        Assert.Contains("individual is stored without a name", e.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListDesignationListsAsync());
    }
}
