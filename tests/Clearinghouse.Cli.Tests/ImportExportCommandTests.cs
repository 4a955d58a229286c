using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Clearinghouse.Cli.Tests;

public sealed class ImportExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-import-").FullName;

    public ImportExportCommandTests()
    {
        Assert.Equal(0, Run("member", "add", "admin").ExitCode);
        Assert.Equal(0, Run("bank", "create", "footage", "--category", "attack-footage").ExitCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Data => Path.Combine(_dir, "data");

    private CliRunner.Result Run(params string[] args) => CliRunner.Run([.. args, "--data", Data]);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void An_import_exports_back_as_the_same_canonical_lines_in_both_formats()
    {
        string input = Write("in.txt", string.Join('\n',
            "# python-threatexchange local_file",
            "pdq D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22",
            "md5   d35c785545392755e7e4164457657269",
            "sha256 B5B0799616DF52D475A3968DC7E54F1D0724C912244FFA6175BC786375DD7298",
            ""));

        var imported = Run("import", input, "--bank", "footage");
        Assert.Equal(0, imported.ExitCode);
        Assert.StartsWith("imported 3 signals into bank 'footage' (4 lines, 0 not imported) in ", imported.Out, StringComparison.Ordinal);

        var export = Run("export", "--bank", "footage");
        Assert.Equal(0, export.ExitCode);
        string[] expected =
        [
            "md5 d35c785545392755e7e4164457657269",
            "pdq d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
            "sha256 b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298",
        ];
        Assert.Equal(expected, export.OutLines.Order(StringComparer.Ordinal));

        // The export re-imports as it is, and exports again identically (also through JSON lines and --out).
        Assert.Equal(0, Run("bank", "create", "copy", "--category", "attack-footage").ExitCode);
        string exported = Write("exported.txt", export.Out);
        Assert.Equal(0, Run("import", exported, "--bank", "copy").ExitCode);
        string jsonl = Path.Combine(_dir, "copy.jsonl");
        var toFile = Run("export", "--bank", "copy", "--format", "jsonl", "--out", jsonl, "--json");
        Assert.Equal(0, toFile.ExitCode);
        Assert.Contains("\"signals\":3", toFile.Out, StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(jsonl).Length);
        Assert.Equal(0, Run("bank", "create", "copy2", "--category", "attack-footage").ExitCode);
        Assert.Equal(0, Run("import", jsonl, "--bank", "copy2").ExitCode);
        Assert.Equal(expected, Run("export", "--bank", "copy2").OutLines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Bad_lines_are_reported_per_line_with_exit_1_and_nothing_is_written()
    {
        string input = Write("bad.txt", string.Join('\n',
            "pdq d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
            "pdq 12",
            "tlsh T1ABC",
            "md5 d35c785545392755e7e4164457657269",
            "md5 D35C785545392755E7E4164457657269",
            "justonefield"));

        var strict = Run("import", input, "--bank", "footage", "--json");

        Assert.Equal(ExitCodes.SomeInputsFailed, strict.ExitCode);
        using (var report = JsonDocument.Parse(Assert.Single(strict.OutLines)))
        {
            var root = report.RootElement;
            Assert.Equal(0, root.GetProperty("added").GetInt32());
            Assert.False(root.GetProperty("applied").GetBoolean());
            var rejections = root.GetProperty("rejections").EnumerateArray()
                .Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("code").GetString()))
                .ToList();
            Assert.Equal([(2, "invalid_value"), (3, "unknown_signal_type"), (5, "duplicate_in_import"), (6, "malformed_line")], rejections);
        }

        Assert.Contains("nothing was imported", strict.Error, StringComparison.Ordinal);
        Assert.Equal("", Run("export", "--bank", "footage").Out);

        var text = Run("import", input, "--bank", "footage");
        Assert.Equal(ExitCodes.SomeInputsFailed, text.ExitCode);
        Assert.Contains($"{input}:2: invalid_value: invalid pdq value: A PDQ hash is 64 hex digits; got 2 characters.", text.ErrorLines);
        Assert.Contains($"{input}:5: duplicate_in_import: the same md5 value is on line 4 of this import", text.ErrorLines);
        Assert.Equal("", Run("export", "--bank", "footage").Out);

        var partial = Run("import", input, "--bank", "footage", "--partial");
        Assert.Equal(ExitCodes.SomeInputsFailed, partial.ExitCode);
        Assert.StartsWith("imported 2 signals into bank 'footage' (6 lines, 4 not imported) in ", partial.Out, StringComparison.Ordinal);
        Assert.Equal(2, Run("export", "--bank", "footage").OutLines.Length);

        // Importing the same again: every line is now a duplicate of a stored signal, reported with its id.
        var again = Run("import", input, "--bank", "footage", "--partial", "--json");
        Assert.Equal(ExitCodes.SomeInputsFailed, again.ExitCode);
        Assert.Contains("\"code\":\"duplicate\"", again.Out, StringComparison.Ordinal);
        Assert.Contains("\"existing_signal_id\":", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_nothing_usable_is_exit_3_and_a_missing_file_or_bank_is_reported()
    {
        var allBad = Run("import", Write("junk.txt", "hello world\nfoo bar\n"), "--bank", "footage");
        Assert.Equal(ExitCodes.BadInput, allBad.ExitCode);
        Assert.Contains("has no usable line (2 of 2 lines refused); nothing was imported", allBad.Error, StringComparison.Ordinal);

        var empty = Run("import", Write("empty.txt", "\n# nothing\n"), "--bank", "footage");
        Assert.Equal(ExitCodes.BadInput, empty.ExitCode);
        Assert.Contains("holds no signals", empty.Error, StringComparison.Ordinal);

        var badHeader = Run("import", Write("bad.csv", "type,hash\npdq,00\n"), "--bank", "footage");
        Assert.Equal(ExitCodes.BadInput, badHeader.ExitCode);
        Assert.Contains("the header must name the columns signal_type, value", badHeader.Error, StringComparison.Ordinal);

        var missing = Run("import", Path.Combine(_dir, "nope.txt"), "--bank", "footage");
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.EndsWith("nope.txt: no such file\n", missing.Error, StringComparison.Ordinal);

        var noBank = Run("import", Write("ok.txt", "md5 d35c785545392755e7e4164457657269\n"), "--bank", "nope");
        Assert.Equal(ExitCodes.Refused, noBank.ExitCode);
        Assert.Contains("no bank named 'nope'", noBank.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_with_designations_goes_into_a_category_that_requires_them_and_lines_without_one_are_refused()
    {
        Assert.Equal(0, Run("bank", "create", "designated", "--category", "designated-entity").ExitCode);
        string csv = Write("d.csv", "signal_type,value,designation\npdq,d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,un:QDe.115\nmd5,d35c785545392755e7e4164457657269,\n");

        var strict = Run("import", csv, "--bank", "designated");
        Assert.Equal(ExitCodes.SomeInputsFailed, strict.ExitCode);
        Assert.Contains($"{csv}:3: designation_required: category 'designated-entity' requires a designation reference", strict.Error, StringComparison.Ordinal);
        Assert.Equal("", Run("export", "--bank", "designated").Out);

        var withDefault = Run("import", csv, "--bank", "designated", "--designation", "un:QDe.001");
        Assert.Equal(0, withDefault.ExitCode);
        var exported = Run("export", "--bank", "designated", "--format", "jsonl").OutLines.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                "{\"signal_type\":\"md5\",\"value\":\"d35c785545392755e7e4164457657269\",\"designation\":\"un:QDe.001\"}",
                "{\"signal_type\":\"pdq\",\"value\":\"d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22\",\"designation\":\"un:QDe.115\"}",
            ],
            exported);
    }

    [Fact]
    public void A_large_import_in_several_batches_adds_every_line_once()
    {
        const int Count = 25_000;
        var random = new Random(7);
        var text = new StringBuilder();
        var values = new HashSet<string>(StringComparer.Ordinal);
        Span<byte> bytes = stackalloc byte[32];
        while (values.Count < Count)
        {
            random.NextBytes(bytes);
            string value = Convert.ToHexStringLower(bytes);
            if (values.Add(value))
            {
                text.Append("pdq ").Append(value).Append('\n');
            }
        }

        string input = Write("big.txt", text.ToString());
        var imported = Run("import", input, "--bank", "footage", "--batch-size", "7000", "--json");

        Assert.Equal(0, imported.ExitCode);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"\"added\":{Count},"), imported.Out, StringComparison.Ordinal);
        var exported = Run("export", "--bank", "footage").OutLines;
        Assert.Equal(values.Order(StringComparer.Ordinal), exported.Select(l => l["pdq ".Length..]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_partial_import_in_small_batches_reports_each_refused_line_once_and_adds_the_rest()
    {
        Assert.Equal(0, Run("bank", "create", "designated", "--category", "designated-entity").ExitCode);
        string stored = Write("stored.csv", "signal_type,value,designation\nmd5,00000000000000000000000000000001,un:QDe.115\n");
        Assert.Equal(0, Run("import", stored, "--bank", "designated").ExitCode);

        // Line 2: already stored; 3: no designation; 4: malformed; 5: a repeat of line 6's value further down
        // (the first spelling wins); 6-9: fine. Batches of 2 split them across transactions.
        string csv = Write("mixed.csv", string.Join('\n',
            "signal_type,value,designation",
            "md5,00000000000000000000000000000001,un:QDe.115",
            "md5,00000000000000000000000000000002,",
            "md5,nothex,un:QDe.115",
            "md5,0000000000000000000000000000000A,un:QDe.115",
            "md5,0000000000000000000000000000000a,un:QDe.115",
            "md5,00000000000000000000000000000003,un:QDe.115",
            "md5,00000000000000000000000000000004,un:QDe.115",
            "md5,00000000000000000000000000000005,un:QDe.115") + "\n");

        var strict = Run("import", csv, "--bank", "designated", "--batch-size", "2");
        Assert.Equal(ExitCodes.SomeInputsFailed, strict.ExitCode);
        Assert.Single(Run("export", "--bank", "designated").OutLines);

        var partial = Run("import", csv, "--bank", "designated", "--batch-size", "2", "--partial", "--json");
        Assert.Equal(ExitCodes.SomeInputsFailed, partial.ExitCode);
        using var report = JsonDocument.Parse(Assert.Single(partial.OutLines));
        Assert.Equal(4, report.RootElement.GetProperty("added").GetInt32());
        var refused = report.RootElement.GetProperty("rejections").EnumerateArray()
            .Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("code").GetString()))
            .ToArray();
        Assert.Equal([(2, "duplicate"), (3, "designation_required"), (4, "invalid_value"), (6, "duplicate_in_import")], refused);
        Assert.Equal(5, Run("export", "--bank", "designated").OutLines.Length);
    }

    [Fact]
    public void Export_to_an_unwritable_place_fails_cleanly()
    {
        var result = Run("export", "--bank", "footage", "--out", Path.Combine(_dir, "no", "such", "dir", "x.txt"));

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("cannot write", result.Error, StringComparison.Ordinal);
        Assert.Single(result.ErrorLines);
    }
}
