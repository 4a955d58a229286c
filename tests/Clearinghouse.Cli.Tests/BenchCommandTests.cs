using System.Globalization;
using System.Text.Json;
using Clearinghouse.Hashing;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

public sealed class BenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Bench_import_writes_every_signal_in_several_batches_and_times_both_halves_against_a_baseline()
    {
        string work = Path.Combine(_dir, "import");
        var result = CliRunner.Run("bench", "import", "--signals", "2500", "--batch-size", "1000", "--dir", work, "--json");

        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        Assert.Equal(2500, json.GetProperty("signals").GetInt32());
        Assert.Equal(1000, json.GetProperty("batch_size").GetInt32());
        Assert.True(json.GetProperty("write_seconds").GetDouble() > 0);
        Assert.True(json.GetProperty("baseline_seconds").GetDouble() > 0);
        Assert.True(json.GetProperty("signals_per_second").GetDouble() > 0);
        Assert.True(json.GetProperty("database_bytes").GetInt64() > 2500 * 64, "the store holds at least the values");
    }

    [Fact]
    public void Bench_log_appends_to_an_existing_store_and_audits_the_whole_log()
    {
        string work = Path.Combine(_dir, "log");
        var first = CliRunner.Run("bench", "log", "--entries", "600", "--batch-size", "250", "--proofs", "20", "--dir", work, "--no-audit", "--json");
        var second = CliRunner.Run("bench", "log", "--entries", "400", "--batch-size", "250", "--proofs", "20", "--dir", work, "--json");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);
        var before = JsonDocument.Parse(first.OutLines.Single()).RootElement;
        var after = JsonDocument.Parse(second.OutLines.Single()).RootElement;
        Assert.Equal(0, before.GetProperty("audit_seconds").GetDouble());
        // Each run's entries are its signals; the first run also logged the taxonomy, the member and the bank.
        Assert.Equal(before.GetProperty("entries").GetInt64() + 400, after.GetProperty("entries").GetInt64());
        Assert.True(after.GetProperty("audit_entries_per_second").GetDouble() > 0, "the second run audited the whole log");
        Assert.True(after.GetProperty("inclusion_proof_microseconds").GetDouble() > 0);
    }

    [Fact]
    public void Bench_match_finds_exactly_the_brute_force_pairs_of_the_reference_hash_lists()
    {
        string haystack = TestData.PathOf("pdq", "hashlists", "haystack.txt");
        string needles = TestData.PathOf("pdq", "hashlists", "needles.txt");
        string output = Path.Combine(_dir, "results.tsv");

        var result = CliRunner.Run("bench", "match", "--index", haystack, "--queries", needles, "--radius", "31", "--out", output, "--json");

        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        Assert.Equal(1350, json.GetProperty("n").GetInt32());
        Assert.Equal(100, json.GetProperty("queries").GetInt32());
        Assert.Equal(31, json.GetProperty("radius").GetInt32());
        Assert.Equal(250, json.GetProperty("matches").GetInt64());
        foreach (var field in new[] { "threads", "build_s", "query_s", "qps", "bytes_per_hash" })
        {
            Assert.True(json.TryGetProperty(field, out _), $"missing {field}");
        }

        var hay = File.ReadAllLines(haystack).Select(Hash256.Parse).ToArray();
        var expected = new List<string>();
        var queries = File.ReadAllLines(needles).Select(Hash256.Parse).ToArray();
        for (int q = 0; q < queries.Length; q++)
        {
            for (int i = 0; i < hay.Length; i++)
            {
                int d = Hash256.Distance(queries[q], hay[i]);
                if (d <= 31)
                {
                    expected.Add(string.Create(CultureInfo.InvariantCulture, $"{q}\t{i}\t{d}"));
                }
            }
        }

        Assert.Equal(expected, File.ReadAllLines(output));
    }

    [Fact]
    public void A_malformed_hash_list_names_the_file_and_line_and_exits_3()
    {
        string bad = Path.Combine(_dir, "bad.txt");
        File.WriteAllLines(bad, [new string('a', 64), "not-a-hash"]);
        var result = CliRunner.Run("bench", "match", "--index", bad, "--queries", bad);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains($"{bad}:2", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_match_requires_its_files_and_a_sane_radius()
    {
        Assert.Equal(ExitCodes.UsageError, CliRunner.Run("bench", "match", "--queries", "q.txt").ExitCode);
        Assert.Equal(ExitCodes.UsageError, CliRunner.Run("bench", "match", "--index", "i", "--queries", "q", "--radius", "-1").ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("bench", "match", "--index", Path.Combine(_dir, "missing.txt"), "--queries", Path.Combine(_dir, "missing.txt")).ExitCode);
    }

    [Fact]
    public void Bench_hash_prints_one_json_line_with_the_split_and_a_matching_baseline()
    {
        var file = TestData.PathOf("pdq", "images", "bridge-mods", "aaa-orig.jpg");
        var result = CliRunner.Run("bench", "hash", file, "--repeat", "1", "--json");
        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        Assert.Equal(1, json.GetProperty("images").GetInt32());
        Assert.Equal(0, json.GetProperty("baseline_mismatches").GetInt32());
        foreach (var field in new[] { "seconds", "images_per_s", "decode_s", "hash_s", "hash_images_per_s" })
        {
            Assert.True(json.GetProperty(field).GetDouble() > 0, field);
        }
    }

    [Fact]
    public void Bench_log_appends_in_batches_proves_and_audits_every_entry()
    {
        // 300 signals plus the taxonomy, member and bank entries.
        var result = CliRunner.Run("bench", "log", "--entries", "300", "--batch-size", "128", "--proofs", "20");
        Assert.True(result.ExitCode == 0, result.Error);
        var json = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        Assert.Equal(303, json.GetProperty("entries").GetInt64());
        foreach (var field in new[] { "append_seconds", "entries_per_second", "inclusion_proof_microseconds", "consistency_proof_microseconds", "audit_entries_per_second" })
        {
            Assert.True(json.GetProperty(field).GetDouble() > 0, field);
        }

        Assert.Equal(ExitCodes.UsageError, CliRunner.Run("bench", "log", "--entries", "1").ExitCode);
    }
}
