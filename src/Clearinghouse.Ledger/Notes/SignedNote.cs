using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Notes;

/// <summary>A signature line of a note: key name, key id and the base64 of (key id ‖ signature) as written.</summary>
public sealed record NoteSignature(string Name, uint KeyId, string Base64)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}+{KeyId:x8}");
}

/// <summary>A note whose text at least one trusted key signed.</summary>
public sealed record OpenedNote(string Text, IReadOnlyList<NoteSignature> Signatures, IReadOnlyList<NoteSignature> UnverifiedSignatures);

/// <summary>
/// C2SP signed-note: a text ending in a newline, a blank line, then one or more lines
/// "— &lt;key name&gt; &lt;base64(key id ‖ signature)&gt;" (U+2014 em dash, space). Signing and opening follow
/// golang.org/x/mod/sumdb/note, so notes we sign open there and notes it signs open here.
/// </summary>
public static class SignedNote
{
    /// <summary>Largest note accepted (bytes); a checkpoint is a few hundred.</summary>
    public const int MaxNoteBytes = 1 << 20;

    /// <summary>Most signature lines accepted (the spec asks for at least 16; Go stops at 100).</summary>
    public const int MaxSignatures = 100;

    private static readonly byte[] SignaturePrefix = "— "u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Signs <paramref name="text"/> (which must end with a newline) with each signer, in order.</summary>
    public static string Sign(string text, params IEnumerable<INoteSigner> signers)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signers);
        byte[] textBytes;
        try
        {
            textBytes = StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw new NoteException(NoteError.MalformedText, "the note text is not well-formed Unicode");
        }

        if (textBytes.Length == 0 || textBytes[^1] != '\n')
        {
            throw new NoteException(NoteError.MalformedText, "the note text must end with a newline");
        }

        if (FirstControlCharacter(textBytes) is int offset)
        {
            throw new NoteException(NoteError.MalformedText, $"the note text has a control character at byte {offset}; only newline is allowed");
        }

        var note = new StringBuilder(text).Append('\n');
        int count = 0;
        foreach (var signer in signers)
        {
            if (NoteKeyName.Problem(signer.Name) is { } problem)
            {
                throw new NoteException(NoteError.MalformedText, $"cannot sign: {problem}");
            }

            byte[] signature = signer.Sign(textBytes);
            var keyed = new byte[4 + signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(keyed, signer.KeyId);
            signature.CopyTo(keyed, 4);
            note.Append("— ").Append(signer.Name).Append(' ').Append(Convert.ToBase64String(keyed)).Append('\n');
            count++;
        }

        if (count == 0)
        {
            throw new ArgumentException("a signed note needs at least one signer", nameof(signers));
        }

        return note.ToString();
    }

    /// <summary>Opens a note given as text.</summary>
    public static OpenedNote Open(string note, NoteVerifierSet trusted)
    {
        ArgumentNullException.ThrowIfNull(note);
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(note);
        }
        catch (EncoderFallbackException)
        {
            throw new NoteException(NoteError.InvalidUtf8, "the note is not well-formed Unicode");
        }

        return Open(bytes, trusted);
    }

    /// <summary>
    /// Parses <paramref name="note"/> and checks its signatures against <paramref name="trusted"/>: signatures by
    /// unknown keys are kept aside, every signature by a trusted key must verify, and at least one must exist.
    /// </summary>
    /// <exception cref="NoteException">The note is malformed (precisely why and where) or not verifiably signed.</exception>
    public static OpenedNote Open(ReadOnlySpan<byte> note, NoteVerifierSet trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        if (note.Length > MaxNoteBytes)
        {
            throw new NoteException(NoteError.TooLarge, $"the note is {note.Length} bytes; at most {MaxNoteBytes} are accepted");
        }

        if (!System.Text.Unicode.Utf8.IsValid(note))
        {
            throw new NoteException(NoteError.InvalidUtf8, "the note is not valid UTF-8");
        }

        if (FirstControlCharacter(note) is int offset)
        {
            string which = note[offset] == '\r' ? "a carriage return (CR LF line ends are not allowed)" : $"control character 0x{note[offset]:x2}";
            throw new NoteException(NoteError.ControlCharacter, $"the note has {which} at byte {offset}; only newline is allowed");
        }

        // The text ends at the last blank line: text includes its final newline, the blank line is dropped.
        int split = note.LastIndexOf("\n\n"u8);
        if (split < 0)
        {
            throw new NoteException(NoteError.MissingSignatures, "the note has no blank line before a signature block");
        }

        ReadOnlySpan<byte> text = note[..(split + 1)];
        ReadOnlySpan<byte> block = note[(split + 2)..];
        if (block.IsEmpty)
        {
            throw new NoteException(NoteError.MissingSignatures, "the note has no signature lines after its blank line");
        }

        if (block[^1] != '\n')
        {
            throw new NoteException(NoteError.UnterminatedSignature, "the note's last signature line does not end with a newline");
        }

        var verified = new List<NoteSignature>();
        var unverified = new List<NoteSignature>();
        var seenTrusted = new HashSet<(string, uint)>();
        var seenUnverified = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        while (!block.IsEmpty)
        {
            int end = block.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = block[..end];
            block = block[(end + 1)..];
            lineNumber++;
            if (lineNumber > MaxSignatures)
            {
                throw new NoteException(NoteError.TooManySignatures, $"the note has more than {MaxSignatures} signature lines");
            }

            (string name, uint keyId, byte[] signature, string base64) = ParseSignatureLine(line, lineNumber);
            NoteVerifier? verifier = trusted.Find(name, keyId);
            if (verifier is null)
            {
                // Unknown keys are ignored (C2SP), identical lines once.
                if (seenUnverified.Add(name + " " + base64))
                {
                    unverified.Add(new NoteSignature(name, keyId, base64));
                }

                continue;
            }

            // A trusted key counts once; later lines naming it are ignored, as Go does.
            if (!seenTrusted.Add((name, keyId)))
            {
                continue;
            }

            if (!verifier.Verify(text, signature.AsSpan(4)))
            {
                throw new NoteException(NoteError.InvalidSignature, string.Create(CultureInfo.InvariantCulture, $"invalid signature for key {name}+{keyId:x8} (signature line {lineNumber})"));
            }

            verified.Add(new NoteSignature(name, keyId, base64));
        }

        if (verified.Count == 0)
        {
            string names = unverified.Count == 0 ? "none" : string.Join(", ", unverified.Select(s => s.ToString()));
            throw new NoteException(NoteError.NoTrustedSignature, $"the note has no signature by a trusted key (signed by: {names})", unverified);
        }

        return new OpenedNote(Encoding.UTF8.GetString(text), verified, unverified);
    }

    private static (string Name, uint KeyId, byte[] Signature, string Base64) ParseSignatureLine(ReadOnlySpan<byte> line, int lineNumber)
    {
        if (!line.StartsWith(SignaturePrefix))
        {
            throw Malformed(lineNumber, "does not start with an em dash (U+2014) and a space");
        }

        line = line[SignaturePrefix.Length..];
        int space = line.IndexOf((byte)' ');
        if (space < 0)
        {
            throw Malformed(lineNumber, "has no space between the key name and the signature");
        }

        string name = Encoding.UTF8.GetString(line[..space]);
        string base64 = Encoding.UTF8.GetString(line[(space + 1)..]);
        if (NoteKeyName.Problem(name) is { } problem)
        {
            throw Malformed(lineNumber, problem);
        }

        byte[]? signature = StrictBase64.Decode(base64, requireCanonical: false);
        if (signature is null)
        {
            throw Malformed(lineNumber, "has a signature that is not base64");
        }

        if (signature.Length < 5)
        {
            throw Malformed(lineNumber, $"has a {signature.Length}-byte signature; a key id and a signature need at least 5");
        }

        return (name, BinaryPrimitives.ReadUInt32BigEndian(signature), signature, base64);
    }

    private static NoteException Malformed(int lineNumber, string why) =>
        new(NoteError.MalformedSignatureLine, string.Create(CultureInfo.InvariantCulture, $"signature line {lineNumber} {why}"));

    private static int? FirstControlCharacter(ReadOnlySpan<byte> utf8)
    {
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] < 0x20 && utf8[i] != '\n')
            {
                return i;
            }
        }

        return null;
    }
}
