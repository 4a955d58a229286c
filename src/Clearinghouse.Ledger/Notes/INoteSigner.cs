namespace Clearinghouse.Ledger.Notes;

/// <summary>A key that signs note texts (C2SP signed-note).</summary>
public interface INoteSigner
{
    /// <summary>The key name that appears in signature lines.</summary>
    string Name { get; }

    /// <summary>The key id (first four bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key)).</summary>
    uint KeyId { get; }

    /// <summary>The signature of <paramref name="message"/> (the note text, final newline included).</summary>
    byte[] Sign(ReadOnlySpan<byte> message);
}
