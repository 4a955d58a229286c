using System.Text;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Cli.Log;

/// <summary>
/// A log exported to a directory (<c>clearinghouse log export</c>): <c>checkpoint</c> (the signed note),
/// <c>verifier-key</c>, and <c>entries.jsonl</c> (each entry's canonical JSON on its own line, in index order — canonical
/// JSON escapes every newline, so a line is exactly an entry's bytes).
/// </summary>
internal sealed class DirectoryLogSource : ILogSource
{
    public const string CheckpointFile = "checkpoint";
    public const string VerifierKeyFile = "verifier-key";
    public const string EntriesFile = "entries.jsonl";

    private readonly string _directory;

    public DirectoryLogSource(string directory)
    {
        _directory = Path.GetFullPath(directory);
        foreach (string file in new[] { CheckpointFile, VerifierKeyFile, EntriesFile })
        {
            if (!File.Exists(Path.Combine(_directory, file)))
            {
                throw new CommandFailedException(ExitCodes.BadInput, $"{_directory} is not an exported log: it has no '{file}' (write one with 'clearinghouse log export')");
            }
        }
    }

    public string Describe() => _directory;

    public string PublishedVerifierKey() => File.ReadAllText(Path.Combine(_directory, VerifierKeyFile), Encoding.UTF8).TrimEnd('\n');

    public string SignedCheckpoint() => File.ReadAllText(Path.Combine(_directory, CheckpointFile), Encoding.UTF8);

    public IEnumerable<ReadOnlyMemory<byte>> Entries(long start, long end)
    {
        using var stream = new FileStream(Path.Combine(_directory, EntriesFile), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var line = new MemoryStream();
        long position = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b != '\n')
            {
                line.WriteByte((byte)b);
                continue;
            }

            if (position >= start && position < end)
            {
                yield return line.ToArray();
            }

            position++;
            line.SetLength(0);
        }

        if (line.Length > 0 && position >= start && position < end)
        {
            yield return line.ToArray();
        }
    }

    public IReadOnlyList<MerkleHash>? ConsistencyProof(long from, long to) => null;

    public string? PublishedReport(long size) => null;

    public IReadOnlyList<MerkleHash> InclusionProof(long index, long size) =>
        throw new CommandFailedException(ExitCodes.UsageError, "an exported log has no proofs: verify it whole with 'clearinghouse verify --dir'");

    public long SignalEntryIndex(string publicId) =>
        throw new CommandFailedException(ExitCodes.UsageError, "look signals up on a node (--node), not in an export");

    public void Dispose()
    {
    }
}
