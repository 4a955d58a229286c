using System.Text.Json;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

/// <summary><c>clearinghouse designations …</c> and <c>clearinghouse import-ofac</c> on a real store.</summary>
public sealed class DesignationCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-designations-").FullName;

    public DesignationCommandTests()
    {
        Assert.Equal(0, Run("member", "add", "admin").ExitCode);
        Assert.Equal(0, Run("bank", "create", "fundraising", "--category", "terrorist-fundraising").ExitCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string UnList => SanctionsFiles.UnList;

    private static string Sdn => SanctionsFiles.Sdn;

    private CliRunner.Result Run(params string[] args) => CliRunner.Run([.. args, "--data", Path.Combine(_dir, "data")]);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_UN_list_imports_lists_and_shows_and_a_second_copy_delists()
    {
        var imported = Run("designations", "import", "--un", UnList);
        Assert.Equal(0, imported.ExitCode);
        Assert.Equal("un list of 2026-11-20T10:00:02.487-05:00: 5 entries (5 added, 0 updated, 0 unchanged, 0 delisted, 0 listed again)\n", imported.Out);

        var list = Run("designations", "list");
        Assert.StartsWith("un\t5 listed\t0 delisted\tlast imported ", list.Out, StringComparison.Ordinal);

        var show = Run("designations", "show", "un:QDe.115", "un:QDi.901");
        Assert.Equal(0, show.ExitCode);
        Assert.Equal(
            ["un:QDe.115\tentity\tlisted on 2008-04-15\tlisted\tEXAMPLE FUNDRAISING FRONT", "un:QDi.901\tindividual\tlisted on 2003-09-09\tlisted"],
            show.OutLines);
        var missing = Run("designations", "show", "un:QDe.999", "--json");
        Assert.Equal(ExitCodes.SomeInputsFailed, missing.ExitCode);
        Assert.Contains("un:QDe.999: not on any designation list the store holds", missing.Error, StringComparison.Ordinal);

        string shorter = File.ReadAllText(UnList).Replace("<REFERENCE_NUMBER>QDe.163</REFERENCE_NUMBER>", "<REFERENCE_NUMBER>QDe.164</REFERENCE_NUMBER>", StringComparison.Ordinal);
        var second = Run("designations", "import", "--un", Write("second.xml", shorter), "--json");
        Assert.Equal(0, second.ExitCode);
        using var report = JsonDocument.Parse(second.Out);
        Assert.Equal((1, 4, 1), (report.RootElement.GetProperty("added").GetInt32(), report.RootElement.GetProperty("unchanged").GetInt32(), report.RootElement.GetProperty("delisted").GetInt32()));
        Assert.Contains("delisted", Run("designations", "show", "un:QDe.163").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_broken_or_missing_files_exit_3_and_write_nothing()
    {
        var cases = new (string File, string Expected)[]
        {
            (Write("xxe.xml", SanctionsFiles.ExternalEntity("CONSOLIDATED_LIST")), "declares a DTD"),
            (Write("laughs.xml", SanctionsFiles.BillionLaughs("CONSOLIDATED_LIST")), "declares a DTD"),
            (Write("cut.xml", File.ReadAllText(UnList)[..2000]), "not well-formed XML"),
            (Sdn, "the root element is <sdnList>"),
            (Path.Combine(_dir, "absent.xml"), "no such file"),
        };
        foreach (var (file, expected) in cases)
        {
            var result = Run("designations", "import", "--un", file);
            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            Assert.Contains(expected, result.Error, StringComparison.Ordinal);
            Assert.Single(result.ErrorLines);
        }

        var tooLarge = Run("designations", "import", "--un", UnList, "--max-size", "100");
        Assert.Equal(ExitCodes.BadInput, tooLarge.ExitCode);
        Assert.Contains("larger than the limit of 100 characters", tooLarge.Error, StringComparison.Ordinal);
        Assert.Equal("", Run("designations", "list").Out);

        var ofac = Run("import-ofac", Write("xxe-sdn.xml", SanctionsFiles.ExternalEntity("sdnList")), "--bank", "fundraising");
        Assert.Equal(ExitCodes.BadInput, ofac.ExitCode);
        Assert.Contains("declares a DTD", ofac.Error, StringComparison.Ordinal);
        Assert.Equal("", Run("export", "--bank", "fundraising").Out);
    }

    [Fact]
    public void OFAC_addresses_import_as_payment_signals_with_designations_and_invalid_ones_are_reported()
    {
        Assert.Equal(0, Run("designations", "import", "--un", UnList).ExitCode);

        var imported = Run("import-ofac", Sdn, "--bank", "fundraising");
        Assert.Equal(ExitCodes.SomeInputsFailed, imported.ExitCode);
        Assert.Equal(
            "imported 7 payment signals into bank 'fundraising' from 4 of 5 entries in FTO,SDGT,SDT (10 addresses: 0 already present, 3 refused; 1 entries designated by their UN reference; 1 addresses of other programs not imported)\n",
            imported.Out);
        Assert.Equal(3, imported.ErrorLines.Length);
        Assert.All(imported.ErrorLines, l => Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(Sdn)}:\\d+: (invalid_value|duplicate_in_import): entry 3600\\d: ", l));

        var export = Run("export", "--bank", "fundraising", "--format", "jsonl");
        var designations = export.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("value").GetString()!, e => e.GetProperty("designation").GetString());
        Assert.Equal(7, designations.Count);
        Assert.Equal("un:QDe.115", designations["btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]);
        Assert.Equal("ofac:36002", designations["trx:TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"]);
        Assert.DoesNotContain(designations.Keys, k => k.Contains("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", StringComparison.Ordinal));

        var again = Run("import-ofac", Sdn, "--bank", "fundraising", "--json");
        using var report = JsonDocument.Parse(again.Out);
        Assert.Equal((0, 7, 3), (report.RootElement.GetProperty("added").GetInt32(), report.RootElement.GetProperty("already_present").GetInt32(), report.RootElement.GetProperty("rejected").GetInt32()));
        Assert.Equal("ofac", report.RootElement.GetProperty("ofac_designations").GetProperty("list").GetString());

        Assert.Contains("ofac:36003\tindividual", Run("designations", "show", "ofac:36003").Out, StringComparison.Ordinal);
        Assert.DoesNotContain("EXAMPLELAST", Run("designations", "show", "ofac:36003", "--json").Out, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_bank_of_another_category_or_no_bank_is_refused_and_a_reference_off_the_imported_list_is_reported()
    {
        Assert.Equal(0, Run("bank", "create", "footage", "--category", "attack-footage").ExitCode);
        var wrong = Run("import-ofac", Sdn, "--bank", "footage");
        Assert.Equal(ExitCodes.Refused, wrong.ExitCode);
        Assert.Contains("OFAC addresses are imported into a 'terrorist-fundraising' bank; nothing was imported", wrong.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, Run("import-ofac", Sdn, "--bank", "nope").ExitCode);
        Assert.Equal(ExitCodes.UsageError, Run("import-ofac", Sdn, "--bank", "fundraising", "--programs", ",").ExitCode);

        Assert.Equal(0, Run("designations", "import", "--un", UnList).ExitCode);
        Assert.Equal(0, Run("bank", "create", "designated", "--category", "designated-entity").ExitCode);
        string lines = Write("signals.csv", "signal_type,value,designation\npdq,d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,un:QDe.004\npdq,f8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,un:QDe.999\n");
        var import = Run("import", lines, "--bank", "designated");
        Assert.Equal(ExitCodes.SomeInputsFailed, import.ExitCode);
        Assert.Contains($"{lines}:3: unknown_designation: designation 'un:QDe.999' is not on the un list", import.Error, StringComparison.Ordinal);
        Assert.Equal("", Run("export", "--bank", "designated").Out);
    }
}
