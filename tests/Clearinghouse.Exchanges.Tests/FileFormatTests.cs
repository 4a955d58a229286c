using Clearinghouse.Ledger.Entries;
using Clearinghouse.Storage;
using static Clearinghouse.Exchanges.Tests.Hashes;

namespace Clearinghouse.Exchanges.Tests;

/// <summary>Each program's published format, from the recorded fixtures: good pages, deletes, a corrupt hash in an
/// otherwise good page, a page not in the format at all.</summary>
public sealed class FileFormatTests
{
    public static TheoryData<string> Programs => ["tcap", "threatexchange", "ncmec", "stopncii", "hma", "local_file"];

    private static readonly Dictionary<string, (string[] Files, string[] AfterFirst, string[] AfterAll)> Good = new()
    {
        ["tcap"] = (["page1.json", "page2.json"], Sorted(M1, P1), Sorted(P1, M2)),
        // 1003 is NON_MALICIOUS (a false positive): not imported; 1002 is deleted.
        ["threatexchange"] = (["page1.json", "page2.json"], Sorted(P1, M1), Sorted(P1)),
        // sha1 is not a signal type here: image1 brings its md5 and pdq; page 2 deletes image1 and adds video1.
        ["ncmec"] = (["page1.xml", "page2.xml"], Sorted(M1, P1, M2), Sorted(M2, M3)),
        // M1 is Withdrawn on page 2; P3 (NotBlocked) comes as an investigation seed.
        ["stopncii"] = (["page1.json", "page2.json"], Sorted(P1, M1), Sorted(P1, P3)),
        // Content 103 is disabled.
        ["hma"] = (["content.json"], Sorted(P1, M1, P2), Sorted(P1, M1, P2)),
        ["local_file"] = (["list.txt"], Sorted(P1, M1), Sorted(P1, M1)),
    };

    private static readonly Dictionary<string, (string File, string Key)> Corrupt = new()
    {
        ["tcap"] = ("corrupt.json", "11"),
        ["threatexchange"] = ("corrupt.json", "2002"),
        ["ncmec"] = ("corrupt.xml", "42-bad"),
        ["stopncii"] = ("corrupt.json", "ImagePDQ ggg"),
        ["hma"] = ("corrupt.json", "202"),
        ["local_file"] = ("corrupt.txt", "pdq 12345"),
    };

    private static readonly Dictionary<string, (string File, string Message)> Malformed = new()
    {
        ["tcap"] = ("malformed.json", "malformed.json: not valid JSON at line 5, byte 5"),
        ["threatexchange"] = ("malformed.json", "malformed.json: the program answered with an error instead of records: {\"message\":\"(#100) Invalid parameter\""),
        ["ncmec"] = ("malformed.xml", "malformed.xml: not valid XML at line 5"),
        ["stopncii"] = ("malformed.json", "page 1: 'hashRecords' must be an array"),
        ["hma"] = ("malformed.json", "not JSON: expected a JSON array of records, or one record per line, found '<' first"),
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task Good_pages_are_applied_in_order_with_their_deletes(string program)
    {
        await using ExchangeHarness harness = await ExchangeHarness.CreateAsync(ExchangePrograms.Parse(program)!.Value);
        (string[] files, string[] afterFirst, string[] afterAll) = Good[program];

        SyncReport first = await harness.ImportAsync(files[0]);
        Assert.Equal(afterFirst, await harness.LiveValuesAsync());
        Assert.Equal(afterFirst.Length, first.Added);
        Assert.Equal(0, first.ProblemCount);

        foreach (string file in files.Skip(1))
        {
            await harness.ImportAsync(file);
        }

        Assert.Equal(afterAll, await harness.LiveValuesAsync());
        Exchange exchange = await harness.ReloadAsync();
        Assert.Equal(afterAll.Length, exchange.Imported);

        // Every withdrawal is on the log, naming the exchange.
        long size = (await harness.Store.GetLogHeadAsync()).Size;
        List<LogEntry> entries = [.. (await harness.Store.ReadLogEntriesAsync(0, size)).Select(r => LogEntry.Parse(r.Body))];
        int withdrawn = await harness.SignalCountAsync() - afterAll.Length;
        Assert.Equal(withdrawn, entries.OfType<SignalWithdrawn>().Count(w => w.Reason.Contains(exchange.Name, StringComparison.Ordinal)));
        Assert.Equal(await harness.SignalCountAsync(), entries.OfType<SignalAdded>().Count());

        // Importing the same pages again changes nothing.
        long before = size;
        foreach (string file in files)
        {
            await harness.ImportAsync(file);
        }

        if (program is not ("tcap" or "ncmec" or "stopncii" or "threatexchange"))
        {
            Assert.Equal(before, (await harness.Store.GetLogHeadAsync()).Size);
        }

        Assert.Equal(afterAll, await harness.LiveValuesAsync());
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task A_corrupt_hash_skips_its_record_only_and_is_reported(string program)
    {
        await using ExchangeHarness harness = await ExchangeHarness.CreateAsync(ExchangePrograms.Parse(program)!.Value);
        (string file, string key) = Corrupt[program];

        SyncReport report = await harness.ImportAsync(file);

        RecordProblem problem = Assert.Single(report.Problems);
        Assert.Equal((key, ProblemCodes.InvalidValue), (problem.Key, problem.Code));
        Assert.Contains("the record was skipped", problem.Reason, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.Where));
        Assert.Equal(Sorted(M3, P2), await harness.LiveValuesAsync());
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task A_page_not_in_the_format_is_refused_precisely_and_nothing_is_applied(string program)
    {
        if (!Malformed.TryGetValue(program, out var malformed))
        {
            return; // local_file has no page structure: every line is a record on its own (see the corrupt test).
        }

        await using ExchangeHarness harness = await ExchangeHarness.CreateAsync(ExchangePrograms.Parse(program)!.Value);
        var error = await Assert.ThrowsAsync<ExchangeFormatException>(() => harness.ImportAsync(malformed.File));
        Assert.Contains(malformed.Message, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await harness.SignalCountAsync());
        Assert.Null((await harness.ReloadAsync()).Checkpoint);
    }

    [Fact]
    public async Task Labels_are_kept_as_metadata_and_nothing_identifying_a_person_is()
    {
        await using ExchangeHarness tcap = await ExchangeHarness.CreateAsync(ExchangeProgram.Tcap);
        await tcap.ImportAsync("page1.json");
        Signal pdq = (await tcap.Store.ListSignalsAsync(new SignalQuery(BankId: tcap.Bank.Id, SignalType: "pdq"))).Items.Single();
        Assert.Contains("\"ideology\":\"far-right\"", pdq.Metadata, StringComparison.Ordinal);
        Assert.Contains("\"file_type\":\"png\"", pdq.Metadata, StringComparison.Ordinal);
        Assert.Contains("\"category\":\"attack-footage\"", pdq.Metadata, StringComparison.Ordinal);
        Assert.Equal("1700000002.5,2", (await tcap.ReloadAsync()).Checkpoint);

        await using ExchangeHarness stop = await ExchangeHarness.CreateAsync(ExchangeProgram.StopNcii);
        await stop.ImportAsync("page1.json");
        Signal blocked = (await stop.Store.ListSignalsAsync(new SignalQuery(BankId: stop.Bank.Id, SignalType: "pdq"))).Items.Single();
        Assert.DoesNotContain("CASE-", blocked.Metadata, StringComparison.Ordinal);
        Assert.DoesNotContain("Example Platform", blocked.Metadata, StringComparison.Ordinal);
        Assert.Contains("\"opinion\":\"positive\"", blocked.Metadata, StringComparison.Ordinal);

        await using ExchangeHarness te = await ExchangeHarness.CreateAsync(ExchangeProgram.ThreatExchange);
        await te.ImportAsync("page1.json");
        IReadOnlyList<ExchangeSignal> rows = (await te.Exchanges.ListExchangeSignalsAsync(te.Exchange.Id, 0, 10)).Items;
        Assert.All(rows, r => Assert.DoesNotContain("Example Platform App", r.Labels, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.DoesNotContain("not imported", r.Labels, StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Labels.Contains("\"HELPFUL\":1", StringComparison.Ordinal) && r.Labels.Contains("\"livestream\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tags_map_to_categories_and_records_of_another_category_are_not_imported()
    {
        await using ExchangeHarness harness = await ExchangeHarness.CreateAsync(
            ExchangeProgram.Tcap, """{"categories": {"far-right": "attacker-manifesto"}}""");
        SyncReport report = await harness.ImportAsync("page1.json");
        Assert.Equal([M1], await harness.LiveValuesAsync());
        RecordProblem other = Assert.Single(report.Problems);
        Assert.Equal(("2", ProblemCodes.OtherCategory), (other.Key, other.Code));

        await using ExchangeHarness strict = await ExchangeHarness.CreateAsync(ExchangeProgram.Tcap, """{"default_category": null}""");
        SyncReport skipped = await strict.ImportAsync("page1.json");
        Assert.Equal(2, skipped.Problems.Count(p => p.Code == ProblemCodes.Unmapped));
        Assert.Empty(await strict.LiveValuesAsync());
    }

    [Fact]
    public async Task A_full_import_withdraws_what_the_file_no_longer_lists()
    {
        await using ExchangeHarness harness = await ExchangeHarness.CreateAsync(ExchangeProgram.LocalFile);
        await harness.ImportAsync("list.txt", full: true);
        SyncReport report = await harness.ImportAsync("corrupt.txt", full: true);
        Assert.Equal(2, report.Withdrawn);
        Assert.Equal(Sorted(M3, P2), await harness.LiveValuesAsync());
    }
}
