namespace Clearinghouse.Ledger.Notes;

/// <summary>Why a signed note was rejected.</summary>
public enum NoteError
{
    /// <summary>Larger than <see cref="SignedNote.MaxNoteBytes"/>.</summary>
    TooLarge,

    /// <summary>Not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>A control character other than newline (CR included).</summary>
    ControlCharacter,

    /// <summary>No blank line separating the text from the signatures, or no signature line.</summary>
    MissingSignatures,

    /// <summary>The signature block does not end with a newline.</summary>
    UnterminatedSignature,

    /// <summary>A signature line is not "— name base64".</summary>
    MalformedSignatureLine,

    /// <summary>More than <see cref="SignedNote.MaxSignatures"/> signature lines.</summary>
    TooManySignatures,

    /// <summary>Two trusted keys share the name and key id the note names.</summary>
    AmbiguousKey,

    /// <summary>A signature by a trusted key does not verify.</summary>
    InvalidSignature,

    /// <summary>Well-formed, but no trusted key signed it.</summary>
    NoTrustedSignature,

    /// <summary>The text to sign does not end with a newline or is not note text.</summary>
    MalformedText,
}

/// <summary>A signed note was malformed or not verifiably signed; <see cref="Error"/> says which.</summary>
public sealed class NoteException : Exception
{
    public NoteException(NoteError error, string message, IReadOnlyList<NoteSignature>? unverified = null)
        : base(message)
    {
        Error = error;
        UnverifiedSignatures = unverified ?? [];
    }

    public NoteException()
    {
        UnverifiedSignatures = [];
    }

    public NoteException(string message)
        : base(message)
    {
        UnverifiedSignatures = [];
    }

    public NoteException(string message, Exception innerException)
        : base(message, innerException)
    {
        UnverifiedSignatures = [];
    }

    public NoteError Error { get; }

    /// <summary>For <see cref="NoteError.NoTrustedSignature"/>: the signatures by keys not trusted.</summary>
    public IReadOnlyList<NoteSignature> UnverifiedSignatures { get; }
}
