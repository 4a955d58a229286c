using System.Text;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Notes;

namespace Clearinghouse.Ledger.Tests;

/// <summary>
/// C2SP signed-note against the published known answers of golang.org/x/mod/sumdb/note (its PeterNeumann and
/// EnochRoot keys and signed note) and of the C2SP spec (example.com/foo), plus hostile inputs.
/// </summary>
public sealed class SignedNoteTests
{
    // golang.org/x/mod/sumdb/note test vectors.
    private const string PeterSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    private const string PeterVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private const string EnochVerifierKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    private const string Text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    private const string PeterSig = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private const string EnochSig = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    private static readonly NoteVerifier Peter = NoteVerifier.Parse(PeterVerifierKey);
    private static readonly NoteVerifier Enoch = NoteVerifier.Parse(EnochVerifierKey);

    [Fact]
    public void Signing_with_Gos_test_key_gives_Gos_signed_note_byte_for_byte()
    {
        using var signer = NodeSigningKey.FromSignerKey(PeterSignerKey);
        Assert.Equal(0xc74f20a3u, signer.KeyId);
        Assert.Equal(PeterVerifierKey, signer.VerifierKey);
        Assert.Equal(PeterSignerKey, signer.ExportSignerKey());
        Assert.Equal(Text + "\n" + PeterSig, SignedNote.Sign(Text, signer));
    }

    [Fact]
    public void Gos_note_opens_with_its_verifier_and_unknown_signers_are_set_aside()
    {
        OpenedNote note = SignedNote.Open(Text + "\n" + PeterSig + EnochSig, new NoteVerifierSet(Peter));
        Assert.Equal(Text, note.Text);
        Assert.Equal([new NoteSignature("PeterNeumann", 0xc74f20a3, PeterSig[15..^1])], note.Signatures);
        Assert.Equal([new NoteSignature("EnochRoot", 0xaf0cfe78, EnochSig[12..^1])], note.UnverifiedSignatures);

        OpenedNote both = SignedNote.Open(Text + "\n" + PeterSig + EnochSig, new NoteVerifierSet(Peter, Enoch));
        Assert.Equal(["PeterNeumann", "EnochRoot"], both.Signatures.Select(s => s.Name));
        Assert.Empty(both.UnverifiedSignatures);
    }

    [Fact]
    public void A_note_with_no_trusted_signature_is_rejected_with_its_signers_listed()
    {
        var e = Assert.Throws<NoteException>(() => SignedNote.Open(Text + "\n" + PeterSig + EnochSig, new NoteVerifierSet()));
        Assert.Equal(NoteError.NoTrustedSignature, e.Error);
        Assert.Equal(2, e.UnverifiedSignatures.Count);
        Assert.Contains("PeterNeumann+c74f20a3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_C2SP_example_note_verifies()
    {
        var verifier = NoteVerifier.Parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
        const string note = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
        Assert.Equal("This is an example message.\n", SignedNote.Open(note, new NoteVerifierSet(verifier)).Text);
    }

    [Fact]
    public void Duplicate_signatures_count_once_and_a_duplicate_trusted_key_is_ambiguous_only_when_used()
    {
        OpenedNote note = SignedNote.Open(Text + "\n" + PeterSig + PeterSig + EnochSig + EnochSig, new NoteVerifierSet(Peter));
        Assert.Single(note.Signatures);
        Assert.Single(note.UnverifiedSignatures);

        var ambiguous = new NoteVerifierSet(Enoch, Peter, Enoch);
        Assert.Equal(NoteError.AmbiguousKey, Assert.Throws<NoteException>(() => SignedNote.Open(Text + "\n" + EnochSig, ambiguous)).Error);
        Assert.Single(SignedNote.Open(Text + "\n" + PeterSig, ambiguous).Signatures);
    }

    [Fact]
    public void A_bad_signature_by_a_trusted_key_rejects_the_note()
    {
        string corrupt = PeterSig[..60] + "ABCD" + PeterSig[60..];
        var e = Assert.Throws<NoteException>(() => SignedNote.Open(Text + "\n" + corrupt, new NoteVerifierSet(Peter)));
        Assert.Equal(NoteError.InvalidSignature, e.Error);
        Assert.Contains("invalid signature for key PeterNeumann+c74f20a3", e.Message, StringComparison.Ordinal);

        // A changed text with the original signature.
        var edited = Assert.Throws<NoteException>(() => SignedNote.Open(Text.Replace("answer", "Answer", StringComparison.Ordinal) + "\n" + PeterSig, new NoteVerifierSet(Peter)));
        Assert.Equal(NoteError.InvalidSignature, edited.Error);
    }

    [Fact]
    public void A_signature_under_a_wrong_key_id_is_an_unknown_signer()
    {
        // Same name, key id changed: not our key, so ignored, and then nothing trusted signed it.
        byte[] raw = Convert.FromBase64String(PeterSig[15..^1]);
        raw[3] ^= 1;
        string wrongId = "— PeterNeumann " + Convert.ToBase64String(raw) + "\n";
        var e = Assert.Throws<NoteException>(() => SignedNote.Open(Text + "\n" + wrongId, new NoteVerifierSet(Peter)));
        Assert.Equal(NoteError.NoTrustedSignature, e.Error);
        Assert.Equal(0xc74f20a2u, e.UnverifiedSignatures[0].KeyId);
    }

    public static TheoryData<string, NoteError> MalformedNotes => new()
    {
        { Text, NoteError.MissingSignatures },
        { Text + "\n", NoteError.MissingSignatures },
        { Text + "\n" + PeterSig[..^1], NoteError.UnterminatedSignature },
        { "\x01" + Text + "\n" + PeterSig, NoteError.ControlCharacter },
        { Text.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n" + PeterSig, NoteError.ControlCharacter },
        { Text + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + PeterSig + "Unexpected line.\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + "- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX gKvqfqdngotpRZb6KE6RyyBwJnAM=\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + "— PeterNeumann AAAA\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + "— PeterNeumann\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + "— Peter\u3000Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", NoteError.MalformedSignatureLine },
        { Text + "\n" + "— Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", NoteError.MalformedSignatureLine },
    };

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Malformed_notes_are_rejected_precisely(string note, NoteError expected)
    {
        var e = Assert.Throws<NoteException>(() => SignedNote.Open(note, new NoteVerifierSet(Peter)));
        Assert.Equal(expected, e.Error);
    }

    [Fact]
    public void Invalid_UTF8_too_many_signatures_and_oversize_notes_are_rejected()
    {
        byte[] invalid = [0xff, .. Encoding.UTF8.GetBytes(Text + "\n" + PeterSig)];
        Assert.Equal(NoteError.InvalidUtf8, Assert.Throws<NoteException>(() => SignedNote.Open(invalid, new NoteVerifierSet(Peter))).Error);

        string many = Text + "\n" + string.Concat(Enumerable.Repeat(PeterSig, 101));
        Assert.Equal(NoteError.TooManySignatures, Assert.Throws<NoteException>(() => SignedNote.Open(many, new NoteVerifierSet(Peter))).Error);
        Assert.Single(SignedNote.Open(Text + "\n" + string.Concat(Enumerable.Repeat(PeterSig, 100)), new NoteVerifierSet(Peter)).Signatures);

        string huge = new string('a', SignedNote.MaxNoteBytes) + "\n\n" + PeterSig;
        Assert.Equal(NoteError.TooLarge, Assert.Throws<NoteException>(() => SignedNote.Open(huge, new NoteVerifierSet(Peter))).Error);
    }

    [Fact]
    public void Extra_blank_lines_move_the_split_and_break_the_signature()
    {
        // The text ends at the last blank line, so a blank line added anywhere after the text changes what is signed.
        var before = Assert.Throws<NoteException>(() => SignedNote.Open(Text + "\n\n" + PeterSig, new NoteVerifierSet(Peter)));
        Assert.Equal(NoteError.InvalidSignature, before.Error);
        var between = Assert.Throws<NoteException>(() => SignedNote.Open(Text + "\n" + PeterSig + "\n" + EnochSig, new NoteVerifierSet(Peter)));
        Assert.Equal(NoteError.NoTrustedSignature, between.Error);

        // Blank lines inside the text are part of it.
        using var key = NodeSigningKey.Generate("example.org/log");
        string withBlank = "first\n\nsecond\n";
        Assert.Equal(withBlank, SignedNote.Open(SignedNote.Sign(withBlank, key), new NoteVerifierSet(key.Verifier)).Text);
    }

    [Fact]
    public void Non_ASCII_key_names_round_trip_and_space_or_plus_names_are_refused()
    {
        using var key = NodeSigningKey.Generate("journal.例え.jp/log");
        string note = SignedNote.Sign("hello\n", key);
        Assert.Equal("journal.例え.jp/log", SignedNote.Open(note, new NoteVerifierSet(NoteVerifier.Parse(key.VerifierKey))).Signatures[0].Name);

        Assert.Throws<ArgumentException>(() => NodeSigningKey.Generate("bad name"));
        Assert.Throws<ArgumentException>(() => NodeSigningKey.Generate("bad\u00a0name"));
        Assert.Throws<ArgumentException>(() => NodeSigningKey.Generate("bad+name"));
        Assert.Throws<ArgumentException>(() => NodeSigningKey.Generate(""));
    }

    [Fact]
    public void Sign_refuses_text_without_final_newline_or_with_control_characters()
    {
        using var key = NodeSigningKey.Generate("example.org/log");
        Assert.Equal(NoteError.MalformedText, Assert.Throws<NoteException>(() => SignedNote.Sign("abc", key)).Error);
        Assert.Equal(NoteError.MalformedText, Assert.Throws<NoteException>(() => SignedNote.Sign("a\rb\n", key)).Error);
        Assert.Equal(NoteError.MalformedText, Assert.Throws<NoteException>(() => SignedNote.Sign("a\ud800\n", key)).Error);
    }

    [Fact]
    public void Every_mangling_of_a_verifier_key_is_refused()
    {
        // As Go's TestNewVerifier: every proper substring and every single-character change must fail.
        Assert.Equal(PeterVerifierKey, NoteVerifier.Parse(PeterVerifierKey).VerifierKey);
        for (int i = 0; i <= PeterVerifierKey.Length; i++)
        {
            for (int j = i + 1; j <= PeterVerifierKey.Length; j++)
            {
                if (i != 0 || j != PeterVerifierKey.Length)
                {
                    Assert.ThrowsAny<FormatException>(() => NoteVerifier.Parse(PeterVerifierKey[i..j]));
                }
            }
        }

        for (int i = 0; i < PeterVerifierKey.Length; i++)
        {
            char[] chars = PeterVerifierKey.ToCharArray();
            chars[i]++;
            Assert.ThrowsAny<FormatException>(() => NoteVerifier.Parse(new string(chars)));
        }

        // Wrong key length and unknown algorithm, each with a key id recomputed to match (Go's vectors).
        Assert.ThrowsAny<FormatException>(() => NoteVerifier.Parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="));
        var e = Assert.ThrowsAny<FormatException>(() => NoteVerifier.Parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
        Assert.Contains("algorithm", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mangling_of_a_signer_key_is_refused()
    {
        for (int i = 0; i <= PeterSignerKey.Length; i++)
        {
            for (int j = i + 1; j <= PeterSignerKey.Length; j++)
            {
                if (i != 0 || j != PeterSignerKey.Length)
                {
                    Assert.ThrowsAny<FormatException>(() => NodeSigningKey.FromSignerKey(PeterSignerKey[i..j]).Dispose());
                }
            }
        }

        for (int i = 0; i < PeterSignerKey.Length; i++)
        {
            char[] chars = PeterSignerKey.ToCharArray();
            chars[i]++;
            Assert.ThrowsAny<FormatException>(() => NodeSigningKey.FromSignerKey(new string(chars)).Dispose());
        }
    }
}
