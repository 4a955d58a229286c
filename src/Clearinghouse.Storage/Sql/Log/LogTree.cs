using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Storage.Sql.Log;

/// <summary>
/// The store's Merkle tree: a <see cref="MerkleLog"/> over the <c>log_tiles</c> table whose right edge stays in
/// memory between appends. The database's <c>log_head</c> is the truth: before each append (under the change lock)
/// the cached tree is checked against it and reopened from O(log n) tiles when another process (a replica on the
/// same PostgreSQL database) appended meanwhile, so appends never reread the log and never fork it.
/// </summary>
internal sealed class LogTree(SqlDialect dialect)
{
    private readonly SqlTileStore _tiles = new(dialect);
    private readonly Lock _gate = new();
    private MerkleLog? _cached;

    /// <summary>A tree at exactly (<paramref name="size"/>, <paramref name="root"/>), the head a writer read under the lock.</summary>
    public MerkleLog At(long size, MerkleHash root)
    {
        MerkleLog? cached = Volatile.Read(ref _cached);
        if (cached is not null && cached.Size == size && cached.Root == root)
        {
            return cached;
        }

        // The head read under the change lock is the truth, even when the cache is ahead of it (a database
        // restored from a backup): replace the cache.
        MerkleLog opened = Open(size, root);
        Volatile.Write(ref _cached, opened);
        return opened;
    }

    /// <summary>A tree holding at least <paramref name="size"/> leaves (for proofs and roots up to that size).</summary>
    public MerkleLog AtLeast(long size, MerkleHash root)
    {
        MerkleLog? cached = Volatile.Read(ref _cached);
        if (cached is not null && cached.Size >= size)
        {
            return cached;
        }

        MerkleLog opened = Open(size, root);
        lock (_gate)
        {
            if (_cached is null || _cached.Size < size)
            {
                _cached = opened;
            }
        }

        return opened;
    }

    /// <summary>Makes a prepared append current once its transaction has committed.</summary>
    public void Committed(PendingAppend pending)
    {
        MerkleLog? cached = Volatile.Read(ref _cached);
        if (cached is null)
        {
            return;
        }

        try
        {
            cached.Commit(pending);
        }
        catch (InvalidOperationException)
        {
            // Prepared on a tree that has since been replaced (a reader reopened a newer one): the next writer
            // checks the cache against the database anyway, so dropping this edge loses nothing.
        }
    }

    private MerkleLog Open(long size, MerkleHash root) =>
        size == 0 ? MerkleLog.Create(_tiles) : MerkleLog.Open(_tiles, size, root);
}
