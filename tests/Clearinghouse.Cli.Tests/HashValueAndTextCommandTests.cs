using System.Security.Cryptography;
using System.Text.Json;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

public sealed class HashValueAndTextCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-cli-text-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Text_tlsh_of_every_reference_file_is_the_reference_digest()
    {
        var expected = File.ReadLines(TestData.PathOf("tlsh", "exp", "example_data.128.1.len.out_EXP"))
            .Select(l => l.Split('\t'))
            .ToDictionary(f => Path.GetFileName(f[1]), f => f[0]);
        var result = CliRunner.Run("hash", "--type", "text_tlsh", "--json", "--threads", "2", TestData.PathOf("tlsh", "example_data"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(80, result.OutLines.Length);
        foreach (var line in result.OutLines)
        {
            var root = JsonDocument.Parse(line).RootElement;
            Assert.Equal(expected[Path.GetFileName(root.GetProperty("path").GetString()!)], root.GetProperty("text_tlsh").GetString());
            Assert.False(root.TryGetProperty("md5", out _));
        }
    }

    [Fact]
    public void Text_tlsh_streams_a_large_file_and_combines_with_the_digests()
    {
        var big = Path.Combine(_dir, "big.txt");
        var bytes = new byte[(5 << 20) + 777];
        new Random(9).NextBytes(bytes);
        File.WriteAllBytes(big, bytes);
        var result = CliRunner.Run("hash", "--type", "sha256,text_tlsh", "--json", big);
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), root.GetProperty("sha256").GetString());
        Assert.Equal(Hashing.Tlsh.TlshHasher.Hash(bytes).Hash.ToString(), root.GetProperty("text_tlsh").GetString());
    }

    [Fact]
    public void A_text_too_short_for_tlsh_fails_with_the_reason()
    {
        var small = Path.Combine(_dir, "short.txt");
        File.WriteAllText(small, "too short to describe");
        var result = CliRunner.Run("hash", "--type", "md5,text_tlsh", "--json", small);
        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        var root = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        Assert.Equal("text_tlsh: too short: 21 bytes; TLSH needs at least 50", root.GetProperty("error").GetString());

        var text = CliRunner.Run("hash", "--type", "text_tlsh", small);
        Assert.Equal($"clearinghouse: {small}: text_tlsh: too short: 21 bytes; TLSH needs at least 50", text.ErrorLines[0]);
    }

    [Fact]
    public void A_pdf_hashes_by_its_text_for_text_tlsh_and_by_its_bytes_for_the_digests()
    {
        string[] lines = ["This statement is a test document for the clearinghouse.", "It has enough words to make a TLSH digest."];
        var pdf = TestPdfs.Make(lines, ["A second page follows."]);
        var file = Path.Combine(_dir, "statement.pdf");
        File.WriteAllBytes(file, pdf);
        var result = CliRunner.Run("hash", "--type", "md5,text_tlsh", "--json", file);
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        string text = string.Join(' ', lines) + "\nA second page follows.";
        Assert.Equal(Hashing.Tlsh.TlshHasher.HashText(text).Hash.ToString(), root.GetProperty("text_tlsh").GetString());
#pragma warning disable CA5351 // MD5 is the exchanged identifier, not a security measure
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(pdf)), root.GetProperty("md5").GetString());
#pragma warning restore CA5351

        File.WriteAllText(Path.Combine(_dir, "broken.pdf"), "%PDF-1.7\nnot really");
        var broken = CliRunner.Run("hash", "--type", "text_tlsh", "--json", Path.Combine(_dir, "broken.pdf"));
        Assert.Equal(ExitCodes.SomeInputsFailed, broken.ExitCode);
        Assert.StartsWith("text_tlsh: not a readable PDF", JsonDocument.Parse(broken.OutLines.Single()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_output_names_the_file_and_the_digest()
    {
        var file = TestData.PathOf("tlsh", "example_data", "small.txt");
        var result = CliRunner.Run("hash", "--type", "text_tlsh", file);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([file, "  text_tlsh T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAC"], result.OutLines);
    }

    [Fact]
    public void Url_values_are_canonicalised_one_json_line_each_and_invalid_ones_reported()
    {
        var result = CliRunner.Run("hash", "--type", "url", "--json", "HTTPS://Example.COM:443/a/../b?utm_source=x&z=1#f", "ftp://example.com/", "domain:Bücher.example");
        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        var lines = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal("https://example.com/b?z=1", lines[0].GetProperty("url").GetString());
        Assert.Equal("HTTPS://Example.COM:443/a/../b?utm_source=x&z=1#f", lines[0].GetProperty("value").GetString());
        Assert.Contains("Only http and https URLs are accepted", lines[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("domain:xn--bcher-kva.example", lines[2].GetProperty("url").GetString());
        Assert.Equal("clearinghouse: 1 of 3 values are invalid", result.ErrorLines.Last());
    }

    [Fact]
    public void Payment_values_are_read_from_standard_input_with_dash()
    {
        string input = "bitcoin:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?amount=1\r\n\n  \n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\neth:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
        var result = CliRunner.RunWithInput(input, "hash", "--type", "payment", "--json", "-");
        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        var lines = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal("btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", lines[0].GetProperty("payment").GetString());
        Assert.Equal("eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", lines[1].GetProperty("payment").GetString());
        Assert.Contains("EIP-55 checksum does not match", lines[2].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_overlong_input_line_is_an_error_and_the_next_lines_still_count()
    {
        string input = new string('a', 70_000) + "\nhttps://example.com/x\n";
        var result = CliRunner.RunWithInput(input, "hash", "--type", "url", "--json", "-");
        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        var lines = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal("line 1 is longer than 65,536 characters", lines[0].GetProperty("error").GetString());
        Assert.Equal("https://example.com/x", lines[1].GetProperty("url").GetString());
    }

    [Fact]
    public void Value_text_output_names_the_value_and_its_canonical_form()
    {
        var result = CliRunner.Run("hash", "--type", "payment", "PayPal:@Someone");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["PayPal:@Someone", "  payment paypal:someone"], result.OutLines);
        var bad = CliRunner.Run("hash", "--type", "url", "nonsense");
        Assert.Equal(ExitCodes.SomeInputsFailed, bad.ExitCode);
        Assert.StartsWith("clearinghouse: nonsense: The URL has no scheme", bad.ErrorLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("url,pdq")]
    [InlineData("url,payment")]
    [InlineData("text_tlsh,payment")]
    public void Value_types_cannot_be_mixed_with_others(string types)
    {
        var result = CliRunner.Run("hash", "--type", types, "x");
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("canonicalises values, not files: give it alone", result.Error, StringComparison.Ordinal);
    }
}
