using System.Security.Cryptography;
using System.Text.Json;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

public sealed class HashCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-cli-").FullName;

    public void Dispose()
    {
        foreach (var locked in Directory.EnumerateDirectories(_dir, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static string Images => TestData.PathOf("pdq", "images");

    private static Dictionary<string, (string Hash, int Quality)> Expected() =>
        File.ReadLines(TestData.PathOf("pdq", "expected.tsv"))
            .Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => (f[1], int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Hashing_the_sample_images_as_json_gives_the_reference_hashes_and_exact_digests()
    {
        var result = CliRunner.Run("hash", "--json", "--threads", "2", Images);

        Assert.Equal(0, result.ExitCode);
        var expected = Expected();
        Assert.Equal(expected.Count, result.OutLines.Length);
        foreach (var line in result.OutLines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string path = root.GetProperty("path").GetString()!;
            string relative = Path.GetRelativePath(Images, path).Replace('\\', '/');
            var pdq = root.GetProperty("pdq");
            Assert.Equal(expected[relative].Hash, pdq.GetProperty("hash").GetString());
            Assert.Equal(expected[relative].Quality, pdq.GetProperty("quality").GetInt32());
            Assert.False(pdq.TryGetProperty("dihedral", out _));
            var bytes = File.ReadAllBytes(path);
#pragma warning disable CA5351 // MD5 is the exchanged identifier, not a security measure
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(bytes)), root.GetProperty("md5").GetString());
#pragma warning restore CA5351
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), root.GetProperty("sha256").GetString());
        }
    }

    [Fact]
    public void Output_follows_the_walk_order_whatever_the_thread_count()
    {
        var one = CliRunner.Run("hash", "--json", "--type", "pdq", "--threads", "1", Images);
        var many = CliRunner.Run("hash", "--json", "--type", "pdq", "--threads", "4", Images);
        Assert.Equal(one.Out, many.Out);
        var paths = one.OutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("path").GetString()!).ToList();
        Assert.Equal(paths.Order(StringComparer.Ordinal).ToList(), paths);
    }

    [Fact]
    public void Dihedral_output_lists_eight_hashes_in_the_reference_order()
    {
        var file = Path.Combine(Images, "bridge-mods", "aaa-orig.jpg");
        var result = CliRunner.Run("hash", "--json", "--dihedral", "--type", "pdq", file);
        Assert.Equal(0, result.ExitCode);
        var expected = File.ReadLines(TestData.PathOf("pdq", "expected_dihedral.tsv")).First(l => l.StartsWith("bridge-mods/aaa-orig.jpg\t", StringComparison.Ordinal)).Split('\t')[1..];
        var dihedral = JsonDocument.Parse(result.OutLines.Single()).RootElement.GetProperty("pdq").GetProperty("dihedral");
        Assert.Equal(expected, dihedral.EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.False(JsonDocument.Parse(result.OutLines.Single()).RootElement.TryGetProperty("md5", out _));
    }

    [Fact]
    public void Human_output_names_the_file_and_each_signal()
    {
        var file = Path.Combine(Images, "bridge-mods", "aaa-orig.jpg");
        var result = CliRunner.Run("hash", file);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(file, result.OutLines[0]);
        Assert.Contains("pdq     d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22  quality 100", result.Out, StringComparison.Ordinal);
        Assert.Contains("md5     ", result.Out, StringComparison.Ordinal);
        Assert.Contains("sha256  ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_files_each_get_a_one_line_error_the_rest_are_hashed_and_the_exit_code_says_so()
    {
        var good = Path.Combine(_dir, "good.jpg");
        File.Copy(Path.Combine(Images, "bridge-mods", "aaa-orig.jpg"), good);
        var whole = File.ReadAllBytes(good);
        File.WriteAllBytes(Path.Combine(_dir, "empty.png"), []);
        File.WriteAllText(Path.Combine(_dir, "manifesto.jpg"), "not a picture at all\n");
        File.WriteAllBytes(Path.Combine(_dir, "truncated.jpg"), whole[..(whole.Length / 3)]);
        File.WriteAllBytes(Path.Combine(_dir, "bomb.png"), HostileFiles.PngBomb(100_000, 100_000));
        File.CreateSymbolicLink(Path.Combine(_dir, "dangling.jpg"), Path.Combine(_dir, "nowhere.jpg"));
        var missing = Path.Combine(_dir, "does-not-exist.jpg");

        var result = CliRunner.Run("hash", "--json", _dir, missing);

        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        var byName = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => Path.GetFileName(e.GetProperty("path").GetString()!));
        Assert.Equal(7, byName.Count);
        Assert.Equal("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22", byName["good.jpg"].GetProperty("pdq").GetProperty("hash").GetString());
        Assert.Equal("the file is empty", Error(byName["empty.png"]));
        Assert.Contains("not an image", Error(byName["manifesto.jpg"]), StringComparison.Ordinal);
        Assert.Contains("truncated", Error(byName["truncated.jpg"]), StringComparison.Ordinal);
        Assert.Contains("over the limit", Error(byName["bomb.png"]), StringComparison.Ordinal);
        Assert.Contains("broken symbolic link", Error(byName["dangling.jpg"]), StringComparison.Ordinal);
        Assert.Equal("no such file or directory", Error(byName["does-not-exist.jpg"]));
        Assert.Equal("clearinghouse: 6 of 7 inputs failed", result.ErrorLines.Last());
    }

    [Fact]
    public void In_text_mode_errors_go_to_stderr_one_line_each_naming_the_file()
    {
        var bad = Path.Combine(_dir, "manifesto.jpg");
        File.WriteAllText(bad, "text");
        var result = CliRunner.Run("hash", bad);
        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.StartsWith($"clearinghouse: {bad}: not an image", result.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Exact_digests_work_on_any_file_and_stream_through_large_ones()
    {
        var text = Path.Combine(_dir, "notes.txt");
        var big = new byte[(3 << 20) + 12345];
        new Random(5).NextBytes(big);
        File.WriteAllBytes(text, big);
        var result = CliRunner.Run("hash", "--json", "--type", "md5,sha256", text);
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), root.GetProperty("sha256").GetString());
        Assert.False(root.TryGetProperty("pdq", out _));
    }

    [Fact]
    public async Task A_fifo_is_refused_instead_of_blocking_forever()
    {
        var fifo = Path.Combine(_dir, "pipe");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mk.WaitForExit();
        }

        // The walker lists it as a file; opening it for reading must not hang the command.
        var run = Task.Run(() => CliRunner.Run("hash", "--json", "--type", "sha256", _dir));
        if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20))) != run)
        {
            // Unblock the reader so the test process can finish, then fail.
            await File.WriteAllTextAsync(fifo, "x");
            Assert.Fail("hashing a FIFO blocked");
        }

        var result = await run;
        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        Assert.Contains("not a regular file", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_permission_is_reported_and_the_walk_goes_on()
    {
        var open = Path.Combine(_dir, "open");
        var locked = Path.Combine(_dir, "locked");
        Directory.CreateDirectory(open);
        Directory.CreateDirectory(locked);
        File.WriteAllText(Path.Combine(open, "a.txt"), "a");
        File.WriteAllText(Path.Combine(locked, "b.txt"), "b");
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(open, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(open, "a.txt"), (UnixFileMode)0b110_100_100);
        File.SetUnixFileMode(locked, UnixFileMode.None);

        // Root reads everything, so as root the command runs without root's permission override.
        var result = CliRunner.IsRoot
            ? CliRunner.RunWithoutPermissionOverride("hash", "--type", "md5", "--json", _dir)
            : CliRunner.Run("hash", "--type", "md5", "--json", _dir);

        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        Assert.Contains(result.OutLines, l => l.Contains("a.txt", StringComparison.Ordinal) && l.Contains("\"md5\":\"0cc175b9c0f1b6a831c399e269772661\"", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.Contains("locked", StringComparison.Ordinal) && l.Contains("permission denied", StringComparison.Ordinal));
    }

    [Fact]
    public void A_symlink_cycle_is_walked_once()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir, "sub")).FullName;
        File.WriteAllText(Path.Combine(sub, "x.txt"), "x");
        File.CreateSymbolicLink(Path.Combine(sub, "loop"), _dir);
        var result = CliRunner.Run("hash", "--type", "md5", "--json", _dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.OutLines);
    }

    [Theory]
    [InlineData("hash", "--type", "pdq,phash", "x")]
    [InlineData("hash", "--threads", "0", "x")]
    [InlineData("hash", "--max-pixels", "lots", "x")]
    [InlineData("hash")]
    [InlineData("hash", "--no-such-option", "x")]
    [InlineData("frobnicate")]
    public void Usage_errors_exit_with_2_and_say_what_is_wrong(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.NotEmpty(result.Error);
    }

    [Fact]
    public void Unknown_signal_type_names_the_known_ones()
    {
        var result = CliRunner.Run("hash", "--type", "phash", Images);
        Assert.Equal("clearinghouse: unknown signal type 'phash' for --type (known: pdq, md5, sha256, vpdq, text_tlsh, url, payment)", result.ErrorLines.Single());
    }

    [Fact]
    public void The_pixel_limit_flag_changes_what_is_refused()
    {
        var file = Path.Combine(Images, "bridge-mods", "aaa-orig.jpg");
        var refused = CliRunner.Run("hash", "--json", "--max-pixels", "1k", file);
        Assert.Equal(ExitCodes.SomeInputsFailed, refused.ExitCode);
        Assert.Contains("over the limit of 1,024", refused.Out, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("hash", "--json", "--max-pixels", "64M", file).ExitCode);
    }

    [Fact]
    public void Help_is_available_on_every_command()
    {
        foreach (var args in new[] { new[] { "--help" }, ["hash", "--help"], ["bench", "--help"], ["bench", "hash", "--help"] })
        {
            var result = CliRunner.Run(args);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
        }
    }

    private static string Error(JsonElement e) => e.GetProperty("error").GetString()!;
}
