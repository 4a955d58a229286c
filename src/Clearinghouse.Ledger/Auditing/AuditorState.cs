using System.Text;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Ledger.Auditing;

/// <summary>
/// An auditor's offline state in a directory: <c>checkpoint</c>, the last signed checkpoint it verified, and
/// <c>tiles/</c>, the tree it verified (a <see cref="FileTileStore"/>), so the next audit checks consistency with
/// everything seen before and need only read new entries.
/// </summary>
/// <remarks>After a successful audit the tiles are flushed first and the checkpoint is then replaced atomically
/// (written beside, flushed, renamed), so a crash leaves the previous trusted state intact.</remarks>
public sealed class AuditorState : IDisposable
{
    private const string CheckpointFile = "checkpoint";

    private readonly string _directory;
    private readonly FileTileStore _tiles;

    private AuditorState(string directory, FileTileStore tiles, LogVerifier verifier)
    {
        _directory = directory;
        _tiles = tiles;
        Verifier = verifier;
    }

    /// <summary>The verifier over this state.</summary>
    public LogVerifier Verifier { get; }

    /// <summary>Opens (or starts) the state in <paramref name="directory"/> for the log <paramref name="origin"/>
    /// with key <paramref name="logKey"/>.</summary>
    /// <exception cref="LogVerificationException">With <see cref="LogFailure.InconsistentState"/> when the saved
    /// checkpoint does not verify or the saved tiles do not match it.</exception>
    public static AuditorState Open(string directory, string origin, NoteVerifier logKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        string checkpointPath = Path.Combine(directory, CheckpointFile);
        string? trusted = File.Exists(checkpointPath) ? File.ReadAllText(checkpointPath, Encoding.UTF8) : null;
        var tiles = new FileTileStore(Path.Combine(directory, "tiles"));
        try
        {
            return new AuditorState(directory, tiles, new LogVerifier(origin, logKey, tiles, trusted));
        }
        catch
        {
            tiles.Dispose();
            throw;
        }
    }

    /// <summary>Runs <see cref="LogVerifier.Verify"/> and, when it succeeds with a newer checkpoint, saves it.</summary>
    public LogAudit Verify(string signedCheckpoint, IEnumerable<ReadOnlyMemory<byte>> entries, long firstIndex = 0, IReadOnlyList<MerkleHash>? consistencyProof = null)
    {
        LogAudit audit = Verifier.Verify(signedCheckpoint, entries, firstIndex, consistencyProof);
        if (!audit.Stale)
        {
            SaveCheckpoint(audit.Checkpoint.SignedNote);
        }

        return audit;
    }

    public void Dispose() => _tiles.Dispose();

    private void SaveCheckpoint(string signedNote)
    {
        string path = Path.Combine(_directory, CheckpointFile);
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(signedNote));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
