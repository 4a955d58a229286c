using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;

namespace Clearinghouse.Ledger.Tests;

public sealed class CheckpointTests
{
    // golang.org/x/mod/sumdb/tlog's golden tree note: size 123456789012, root = record hash of "hello world".
    private const string GoGolden = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";

    [Fact]
    public void Gos_golden_tree_note_parses_and_formats_back()
    {
        var checkpoint = Checkpoint.Parse(GoGolden);
        Assert.Equal("go.sum database tree", checkpoint.Origin);
        Assert.Equal(123456789012, checkpoint.Size);
        Assert.Equal(Rfc6962.HashLeaf("hello world"u8), checkpoint.Root);
        Assert.Empty(checkpoint.Extensions);
        Assert.Equal(GoGolden, checkpoint.ToNoteText());
    }

    [Fact]
    public void The_C2SP_example_parses_but_its_unknown_signer_is_not_trusted()
    {
        const string signed = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        var e = Assert.Throws<NoteException>(() => Checkpoint.Open(signed, new NoteVerifierSet()));
        Assert.Equal(NoteError.NoTrustedSignature, e.Error);
        var checkpoint = Checkpoint.Parse(signed[..(signed.IndexOf("\n\n", StringComparison.Ordinal) + 1)]);
        Assert.Equal(20852163, checkpoint.Size);
    }

    [Fact]
    public void Extension_lines_round_trip()
    {
        var checkpoint = new Checkpoint("example.org/log", 0, Rfc6962.EmptyTreeHash, ["timestamp 1700000000", "x"]);
        Assert.Equal(checkpoint, Checkpoint.Parse(checkpoint.ToNoteText()));
        Assert.Equal("example.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntimestamp 1700000000\nx\n", checkpoint.ToNoteText());
    }

    [Fact]
    public void Signed_checkpoints_open_with_the_nodes_verifier_key_and_check_the_origin()
    {
        using var key = NodeSigningKey.Generate("clearinghouse.example/log");
        var checkpoint = new Checkpoint(key.Name, 42, Rfc6962.HashLeaf("x"u8));
        string signed = checkpoint.Sign(key);
        var trusted = new NoteVerifierSet(NoteVerifier.Parse(key.VerifierKey));
        VerifiedCheckpoint opened = Checkpoint.Open(signed, trusted, "clearinghouse.example/log");
        Assert.Equal(checkpoint, opened.Checkpoint);
        Assert.Equal(signed, opened.SignedNote);
        Assert.Throws<CheckpointFormatException>(() => Checkpoint.Open(signed, trusted, "other.example/log"));

        using var stranger = NodeSigningKey.Generate("clearinghouse.example/log");
        Assert.Equal(NoteError.NoTrustedSignature, Assert.Throws<NoteException>(() => Checkpoint.Open(checkpoint.Sign(stranger), trusted)).Error);
    }

    public static TheoryData<string, string> BadCheckpoints => new()
    {
        { "not-a-checkpoint", "end with a newline" },
        { "origin\n12\n", "at least 3 lines" },
        { "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "line 2" },
        { "go.sum database tree\n0123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "leading zeros" },
        { "go.sum database tree\n-1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "line 2" },
        { "go.sum database tree\n+1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "line 2" },
        { "go.sum database tree\n 1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "line 2" },
        { "go.sum database tree\n9223372036854775808\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "exceeds" },
        { "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n", "line 3" },
        { "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb1=\n", "line 3" },
        { "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw\n", "line 3" },
        { "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0= \n", "line 3" },
        { "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n\n", "line 4" },
        { "\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "line 1" },
        { "go.sum database tree\r\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", "control character" },
    };

    [Theory]
    [MemberData(nameof(BadCheckpoints))]
    public void Malformed_checkpoints_are_rejected_precisely(string text, string expected)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_size_parses()
    {
        Assert.Equal(long.MaxValue, Checkpoint.Parse($"o\n{long.MaxValue}\n{Rfc6962.EmptyTreeHash.ToBase64()}\n").Size);
    }
}
