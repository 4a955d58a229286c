using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Storage.Sql.Log;

/// <summary>
/// The log entries one writing transaction appends, numbered from the log's size when the transaction took the change
/// lock (so no other writer can take the same indices). Written, with the tree's tiles, just before the commit.
/// </summary>
internal sealed class LogBatch(long headSize, MerkleHash headRoot)
{
    private readonly List<byte[]> _bodies = [];
    private readonly List<MerkleHash> _leaves = [];

    /// <summary>The log's size before this transaction: the first new entry's index.</summary>
    public long HeadSize { get; } = headSize;

    /// <summary>The log's root before this transaction (checked against the cached tree before appending to it).</summary>
    public MerkleHash HeadRoot { get; } = headRoot;

    /// <summary>The index the next entry takes.</summary>
    public long NextIndex => HeadSize + _bodies.Count;

    public int Count => _bodies.Count;

    public IReadOnlyList<byte[]> Bodies => _bodies;

    public List<MerkleHash> Leaves => _leaves;

    /// <summary>Appends an entry built for <see cref="NextIndex"/>; returns its index.</summary>
    public long Add(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Index != NextIndex)
        {
            throw new InvalidOperationException($"a log entry built for index {entry.Index} was appended at index {NextIndex}");
        }

        byte[] body = entry.ToCanonicalJson();
        _bodies.Add(body);
        _leaves.Add(Rfc6962.HashLeaf(body));
        return entry.Index;
    }

    /// <summary>Appends the entry <paramref name="build"/> makes for the next index; returns that index.</summary>
    public long Add(Func<long, LogEntry> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return Add(build(NextIndex));
    }

    /// <summary>Appends entries already built and hashed (the bulk path), which must be numbered from <see cref="NextIndex"/>.</summary>
    public void AddRange(byte[][] bodies, MerkleHash[] leaves)
    {
        _bodies.AddRange(bodies);
        _leaves.AddRange(leaves);
    }
}
