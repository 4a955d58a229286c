using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;
using NSec.Cryptography;

namespace Clearinghouse.Ledger.Keys;

/// <summary>
/// The node's Ed25519 key for signing checkpoints. Stored as golang.org/x/mod/sumdb/note's signer key
/// <c>PRIVATE+KEY+name+hex(keyid)+base64(0x01 ‖ seed)</c> in a file only its owner can read (mode 0600); its public
/// half is published as the verifier key <c>name+hex(keyid)+base64(0x01 ‖ public key)</c>.
/// </summary>
public sealed class NodeSigningKey : INoteSigner, IDisposable
{
    private const string Prefix = "PRIVATE+KEY+";

    // Group and other permission bits: any of them set means someone besides the owner can use the key.
    private const UnixFileMode NotOwnerBits =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly Key _key;

    private NodeSigningKey(string name, Key key)
    {
        Name = name;
        _key = key;
        Verifier = NoteVerifier.FromPublicKey(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The key name: the log's origin, e.g. <c>clearinghouse.example/log</c>.</summary>
    public string Name { get; }

    public uint KeyId => Verifier.KeyId;

    /// <summary>The verifier for this key's signatures.</summary>
    public NoteVerifier Verifier { get; }

    /// <summary>The verifier key to publish.</summary>
    public string VerifierKey => Verifier.VerifierKey;

    /// <summary>A fresh random key named <paramref name="name"/> (a valid note key name).</summary>
    public static NodeSigningKey Generate(string name)
    {
        if (NoteKeyName.Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        return new NodeSigningKey(name, Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    /// <summary>Parses a signer key string; a precise <see cref="FormatException"/> for anything malformed.</summary>
    public static NodeSigningKey FromSignerKey(string signerKey)
    {
        ArgumentNullException.ThrowIfNull(signerKey);
        if (!signerKey.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new FormatException("a signer key starts with PRIVATE+KEY+");
        }

        string[] parts = signerKey[Prefix.Length..].Split('+', 3);
        if (parts.Length != 3)
        {
            throw new FormatException("a signer key is PRIVATE+KEY+name+keyid+key: a part is missing");
        }

        (string name, string hex, string key64) = (parts[0], parts[1], parts[2]);
        if (NoteKeyName.Problem(name) is { } problem)
        {
            throw new FormatException($"malformed signer key: {problem}");
        }

        uint keyId = NoteVerifier.ParseKeyId(hex);
        byte[] key = StrictBase64.Decode(key64, requireCanonical: false)
            ?? throw new FormatException("malformed signer key: the key is not base64");
        if (key.Length == 0 || key[0] != NoteKeyName.Ed25519Type)
        {
            throw new FormatException("unsupported signer key algorithm: only Ed25519 (1) is supported");
        }

        if (key.Length != 33)
        {
            throw new FormatException($"malformed signer key: an Ed25519 seed is 32 bytes, not {key.Length - 1}");
        }

        var signing = new NodeSigningKey(name, Key.Import(SignatureAlgorithm.Ed25519, key.AsSpan(1), KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
        if (signing.KeyId != keyId)
        {
            signing.Dispose();
            throw new FormatException($"malformed signer key: key id {hex} does not match the name and key");
        }

        return signing;
    }

    /// <summary>The secret signer key string (what <see cref="Save"/> writes).</summary>
    public string ExportSignerKey()
    {
        var key = new byte[33];
        key[0] = NoteKeyName.Ed25519Type;
        _key.Export(KeyBlobFormat.RawPrivateKey).CopyTo(key, 1);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Name}+{KeyId:x8}+{Convert.ToBase64String(key)}");
    }

    /// <summary>
    /// Writes the key to a new file <paramref name="path"/> created with mode 0600 (never over an existing file):
    /// written to a temporary file beside it, flushed to disk, then moved into place.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temporary = string.Create(CultureInfo.InvariantCulture, $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(ExportSignerKey() + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Loads the key file <paramref name="path"/>, refusing one that group or others may read or write.
    /// </summary>
    /// <exception cref="KeyFileException">The file's permissions are too open, or its content is not a signer key.</exception>
    public static NodeSigningKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(handle);
            if ((mode & NotOwnerBits) != 0)
            {
                throw new KeyFileException(string.Create(CultureInfo.InvariantCulture,
                    $"refusing to load the signing key {path}: its mode {Convert.ToString((int)mode, 8)} lets group or others read or write it; restrict it with 'chmod 600 {path}'"));
            }
        }

        long length = RandomAccess.GetLength(handle);
        if (length > 4096)
        {
            throw new KeyFileException($"{path} is {length} bytes: not a signing key file");
        }

        var bytes = new byte[length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        string text = Encoding.ASCII.GetString(bytes, 0, read);
        if (text.EndsWith('\n'))
        {
            text = text[..^1];
        }

        try
        {
            return FromSignerKey(text);
        }
        catch (FormatException e)
        {
            throw new KeyFileException($"{path} does not hold a signing key: {e.Message}", e);
        }
    }

    /// <summary>Loads <paramref name="path"/>, or on first start generates a key named <paramref name="name"/> and
    /// saves it there. A loaded key must carry <paramref name="name"/>.</summary>
    public static NodeSigningKey LoadOrCreate(string path, string name, out bool created)
    {
        created = !File.Exists(path);
        if (created)
        {
            var key = Generate(name);
            key.Save(path);
            return key;
        }

        var loaded = Load(path);
        if (loaded.Name != name)
        {
            loaded.Dispose();
            throw new KeyFileException($"the signing key in {path} is named '{loaded.Name}', not the log's origin '{name}'");
        }

        return loaded;
    }

    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    public void Dispose() => _key.Dispose();
}

/// <summary>A signing key file is unsafe or unreadable.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException()
    {
    }

    public KeyFileException(string message)
        : base(message)
    {
    }

    public KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
