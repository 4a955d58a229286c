using System.Security.Cryptography;

namespace Clearinghouse.Cli.Node;

/// <summary>
/// The node's key for signing pagination cursors, kept in the data directory (file mode 0600) so cursors handed
/// out before a restart stay valid after it. Replicas sharing one PostgreSQL database need the same file.
/// </summary>
internal static class CursorKeyFile
{
    public const string FileName = "cursor.key";
    public const int KeyBytes = 32;

    /// <summary>Reads the key, creating it (32 random bytes, owner-only) when the file does not exist yet.</summary>
    public static byte[] LoadOrCreate(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return Read(path);
        }

        byte[] key = RandomNumberGenerator.GetBytes(KeyBytes);
        string temporary = Path.Combine(dataDirectory, $".{FileName}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.WriteThrough,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }

        try
        {
            // Moving without overwrite fails when another first start got there first: both then use its key.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return Read(path);
        }

        return key;
    }

    private static byte[] Read(string path)
    {
        byte[] key = File.ReadAllBytes(path);
        if (key.Length != KeyBytes)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{path} holds {key.Length} bytes, not a {KeyBytes}-byte cursor key (delete it to make a new one; cursors handed out before are then refused)");
        }

        return key;
    }
}
