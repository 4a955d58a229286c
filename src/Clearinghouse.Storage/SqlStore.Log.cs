using System.Runtime.InteropServices;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;
using Clearinghouse.Storage.Sql;
using Clearinghouse.Storage.Sql.Log;

namespace Clearinghouse.Storage;

// The transparency log: written by every change it records, in that change's transaction; read by the public routes.
public abstract partial class SqlStore
{
    /// <summary>Most entries one <see cref="ReadLogEntriesAsync"/> returns.</summary>
    public const int MaxLogEntriesPerRead = 10_000;

    public Task<LogHead> GetLogHeadAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(session => ReadHeadAsync(session, cancellationToken), cancellationToken);

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.Invalid"/> for a range outside [0, size] or longer than <see cref="MaxLogEntriesPerRead"/>.</remarks>
    public Task<IReadOnlyList<LogRecord>> ReadLogEntriesAsync(long startIndex, long endIndex, CancellationToken cancellationToken = default) =>
        ReadSnapshotAsync<IReadOnlyList<LogRecord>>(async session =>
        {
            LogHead head = await ReadHeadAsync(session, cancellationToken).ConfigureAwait(false);
            if (startIndex < 0 || endIndex < startIndex || endIndex > head.Size)
            {
                throw Invalid($"entries {startIndex}..{endIndex} are not a range inside the log of size {head.Size} (0 <= start <= end <= size)");
            }

            if (endIndex - startIndex > MaxLogEntriesPerRead)
            {
                throw Invalid($"at most {MaxLogEntriesPerRead} entries can be read at once, not {endIndex - startIndex}");
            }

            return await session.QueryAsync(
                "SELECT idx, body FROM log_entries WHERE idx >= @start AND idx < @end ORDER BY idx",
                r => new LogRecord(r.GetInt64(0), r.GetFieldValue<byte[]>(1)),
                cancellationToken,
                ("@start", startIndex),
                ("@end", endIndex)).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.Invalid"/> unless 0 &lt;= index &lt; size &lt;= the log's size.</remarks>
    public async Task<IReadOnlyList<MerkleHash>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default)
    {
        LogHead head = await GetLogHeadAsync(cancellationToken).ConfigureAwait(false);
        RequireTreeSize(size, head);
        if (index < 0 || index >= size)
        {
            throw Invalid($"entry {index} is not in the tree of size {size} (0 <= index < size)");
        }

        return _logTree.AtLeast(head.Size, head.Root).InclusionProof(index, size);
    }

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.Invalid"/> unless 0 &lt;= size1 &lt;= size2 &lt;= the log's size.</remarks>
    public async Task<IReadOnlyList<MerkleHash>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default)
    {
        LogHead head = await GetLogHeadAsync(cancellationToken).ConfigureAwait(false);
        RequireTreeSize(size2, head);
        if (size1 < 0 || size1 > size2)
        {
            throw Invalid($"the old size {size1} must be between 0 and the new size {size2}");
        }

        return _logTree.AtLeast(head.Size, head.Root).ConsistencyProof(size1, size2);
    }

    public Task<SignalCommitment?> GetSignalCommitmentAsync(string publicId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            "SELECT s.id, s.public_id, c.salt, c.log_index FROM signals s JOIN signal_commitments c ON c.signal_id = s.id WHERE s.public_id = @id",
            r => new SignalCommitment(r.GetInt64(0), r.GetString(1), r.GetFieldValue<byte[]>(2), r.GetInt64(3)),
            cancellationToken,
            ("@id", publicId)), cancellationToken);

    private static async Task<LogHead> ReadHeadAsync(Session session, CancellationToken cancellationToken)
    {
        (long size, byte[]? root) = (await session.QueryAsync(
            "SELECT size, root FROM log_head WHERE id = 1",
            r => (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetFieldValue<byte[]>(1)),
            cancellationToken).ConfigureAwait(false))[0];
        return new LogHead(size, root is null ? Rfc6962.EmptyTreeHash : MerkleHash.FromBytes(root));
    }

    private static void RequireTreeSize(long size, LogHead head)
    {
        if (size < 1 || size > head.Size)
        {
            throw Invalid($"tree size {size} is not between 1 and the log's size {head.Size}");
        }
    }

    /// <summary>
    /// Writes the session's log entries, the tiles they change and the new head, in the session's transaction;
    /// returns the append to make current once that transaction commits (null when the write logged nothing).
    /// </summary>
    private async Task<PendingAppend?> WriteLogAsync(Session session, CancellationToken cancellationToken)
    {
        if (session.PendingLog is not { } batch)
        {
            return null;
        }

        MerkleLog tree = _logTree.At(batch.HeadSize, batch.HeadRoot);
        PendingAppend pending = tree.PrepareAppend(CollectionsMarshal.AsSpan(batch.Leaves));
        await Dialect.InsertLogEntriesAsync(session, batch.HeadSize, batch.Bodies, cancellationToken).ConfigureAwait(false);
        await SqlTileStore.UpsertAsync(session, pending.Tiles, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(
            "UPDATE log_head SET size = @size, root = @root WHERE id = 1",
            cancellationToken,
            ("@size", pending.NewSize),
            ("@root", pending.NewRoot.ToArray())).ConfigureAwait(false);
        return pending;
    }

    /// <summary>When the session's change is stamped, as a log entry's time.</summary>
    private static DateTimeOffset EntryTime(Session session) => Micros.ToTime(session.NowMicros);

    private static async Task<string> MemberNameAsync(Session session, long memberId, CancellationToken cancellationToken) =>
        await session.ScalarAsync<string>("SELECT name FROM members WHERE id = @id", cancellationToken, ("@id", memberId)).ConfigureAwait(false)
        ?? throw NotFound($"there is no member with id {memberId}");

    /// <summary>A bank's sharing scope as the log writes it: private, all-members or group:&lt;name&gt;.</summary>
    private static async Task<string> ScopeNameAsync(Session session, SharingScope scope, long? groupId, CancellationToken cancellationToken) => scope switch
    {
        SharingScope.Private => "private",
        SharingScope.AllMembers => "all-members",
        _ => "group:" + (await session.ScalarAsync<string>("SELECT name FROM sharing_groups WHERE id = @id", cancellationToken, ("@id", groupId)).ConfigureAwait(false)
            ?? throw NotFound($"there is no sharing group with id {groupId}")),
    };
}
