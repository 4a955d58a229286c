using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;

namespace Clearinghouse.Ledger.Checkpoints;

/// <summary>
/// A C2SP tlog-checkpoint: the note text "origin\nsize\nbase64(root)\n" plus optional non-empty extension lines,
/// signed as a C2SP signed-note.
/// </summary>
public sealed class Checkpoint : IEquatable<Checkpoint>
{
    public Checkpoint(string origin, long size, MerkleHash root, IReadOnlyList<string>? extensions = null)
    {
        if (string.IsNullOrEmpty(origin) || !IsLine(origin))
        {
            throw new ArgumentException("the origin must be one non-empty line without control characters", nameof(origin));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(size);
        extensions ??= [];
        foreach (string extension in extensions)
        {
            if (string.IsNullOrEmpty(extension) || !IsLine(extension))
            {
                throw new ArgumentException("extension lines must be non-empty lines without control characters", nameof(extensions));
            }
        }

        Origin = origin;
        Size = size;
        Root = root;
        Extensions = [.. extensions];
    }

    /// <summary>The log's identity (line 1), for us the signing key's name.</summary>
    public string Origin { get; }

    /// <summary>Number of leaves (line 2).</summary>
    public long Size { get; }

    /// <summary>The RFC 6962 root at <see cref="Size"/> (line 3).</summary>
    public MerkleHash Root { get; }

    /// <summary>Lines after the third, opaque.</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>The note text to sign.</summary>
    public string ToNoteText()
    {
        var text = new StringBuilder()
            .Append(Origin).Append('\n')
            .Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Root.ToBase64()).Append('\n');
        foreach (string extension in Extensions)
        {
            text.Append(extension).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The signed note: this checkpoint's text signed by <paramref name="signers"/>.</summary>
    public string Sign(params IEnumerable<INoteSigner> signers) => SignedNote.Sign(ToNoteText(), signers);

    /// <summary>
    /// Parses checkpoint note text strictly: it ends with a newline; line 1 non-empty; line 2 a decimal size with no
    /// sign, no leading zero (except "0") and within 2^63 − 1; line 3 the canonical base64 of 32 bytes; any further
    /// line non-empty; no control characters.
    /// </summary>
    /// <exception cref="CheckpointFormatException">Why and on which line.</exception>
    public static Checkpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.EndsWith('\n'))
        {
            throw new CheckpointFormatException("the checkpoint text must end with a newline");
        }

        string[] lines = text[..^1].Split('\n');
        if (lines.Length < 3)
        {
            throw new CheckpointFormatException($"a checkpoint has at least 3 lines (origin, size, root), not {lines.Length}");
        }

        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                throw new CheckpointFormatException($"line {i + 1} of the checkpoint is empty");
            }

            if (!IsLine(lines[i]))
            {
                throw new CheckpointFormatException($"line {i + 1} of the checkpoint has a control character");
            }
        }

        long size = ParseSize(lines[1]);
        if (!MerkleHash.TryParseBase64(lines[2], out MerkleHash root))
        {
            throw new CheckpointFormatException($"line 3 of the checkpoint is not the canonical base64 of a 32-byte root hash: '{Shorten(lines[2])}'");
        }

        return new Checkpoint(lines[0], size, root, lines[3..]);
    }

    /// <summary>
    /// Opens a signed checkpoint: verifies the note against <paramref name="trusted"/> (<see cref="NoteException"/>),
    /// parses its text (<see cref="CheckpointFormatException"/>) and, if given, checks the origin.
    /// </summary>
    public static VerifiedCheckpoint Open(string signedNote, NoteVerifierSet trusted, string? expectedOrigin = null)
    {
        OpenedNote note = SignedNote.Open(signedNote, trusted);
        Checkpoint checkpoint = Parse(note.Text);
        if (expectedOrigin is not null && checkpoint.Origin != expectedOrigin)
        {
            throw new CheckpointFormatException($"the checkpoint is for log '{checkpoint.Origin}', not '{expectedOrigin}'");
        }

        return new VerifiedCheckpoint(checkpoint, note, signedNote);
    }

    public bool Equals(Checkpoint? other) =>
        other is not null && Origin == other.Origin && Size == other.Size && Root == other.Root
        && Extensions.SequenceEqual(other.Extensions, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Checkpoint);

    public override int GetHashCode() => HashCode.Combine(Origin, Size, Root, Extensions.Count);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Origin} @ {Size} ({Root.ToBase64()})");

    private static long ParseSize(string line)
    {
        bool digits = line.All(char.IsAsciiDigit);
        if (!digits || (line.Length > 1 && line[0] == '0'))
        {
            throw new CheckpointFormatException($"line 2 of the checkpoint must be a decimal tree size without sign or leading zeros, not '{Shorten(line)}'");
        }

        if (!long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out long size))
        {
            throw new CheckpointFormatException($"the tree size '{Shorten(line)}' exceeds 2^63 - 1");
        }

        return size;
    }

    private static bool IsLine(string text)
    {
        foreach (char c in text)
        {
            if (c < 0x20)
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}

/// <summary>A checkpoint whose signature by a trusted key verified, with the note and the signed text as received.</summary>
public sealed record VerifiedCheckpoint(Checkpoint Checkpoint, OpenedNote Note, string SignedNote);

/// <summary>A checkpoint's text is malformed, or is for another log.</summary>
public sealed class CheckpointFormatException : FormatException
{
    public CheckpointFormatException()
    {
    }

    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    public CheckpointFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
