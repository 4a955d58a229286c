using System.Security.Cryptography;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// signal-added entries for a bulk insert: built and hashed in parallel, written in one batch with the signals.
public abstract partial class SqlStore
{
    /// <summary>Rows per parallel work item when building signal-added entries.</summary>
    private const int EntryBuildChunk = 2048;

    /// <summary>
    /// Logs a signal-added entry, with a fresh salted commitment, for every row the insert kept
    /// (<paramref name="ids"/>[row] != 0), in row (= change-feed) order, and stores each signal's salt.
    /// </summary>
    /// <paramref name="origins"/>, when given, holds each row's provenance (a signal imported from a peer node).
    private async Task LogAddedSignalsAsync(Session session, Bank bank, long contributorId, SignalRows rows, long[] ids, CancellationToken cancellationToken, SignalOrigin[]? origins = null)
    {
        int added = 0;
        foreach (long id in ids)
        {
            added += id != 0 ? 1 : 0;
        }

        if (added == 0)
        {
            return;
        }

        var rowOfEntry = new int[added];
        for (int row = 0, k = 0; row < ids.Length; row++)
        {
            if (ids[row] != 0)
            {
                rowOfEntry[k++] = row;
            }
        }

        string member = await MemberNameAsync(session, contributorId, cancellationToken).ConfigureAwait(false);
        DateTimeOffset at = EntryTime(session);
        long first = session.Log.NextIndex;
        byte[] random = RandomNumberGenerator.GetBytes(added * ValueCommitment.SaltSize);
        var signalIds = new long[added];
        var salts = new byte[added][];
        var indexes = new long[added];
        var bodies = new byte[added][];
        var leaves = new MerkleHash[added];
        Parallel.For(0, (added + EntryBuildChunk - 1) / EntryBuildChunk, chunk =>
        {
            int end = Math.Min(added, (chunk + 1) * EntryBuildChunk);
            for (int k = chunk * EntryBuildChunk; k < end; k++)
            {
                int row = rowOfEntry[k];
                byte[] salt = random.AsSpan(k * ValueCommitment.SaltSize, ValueCommitment.SaltSize).ToArray();
                SignalOrigin? origin = origins?[row];
                var entry = new SignalAdded(
                    first + k, at, rows.PublicIds[row], rows.Types[row], bank.Category, rows.Designations[row], bank.Name, member,
                    ValueCommitment.Compute(salt, rows.Values[row]), origin?.Log, origin?.PublicId, origin?.Member);
                byte[] body = entry.ToCanonicalJson();
                (signalIds[k], salts[k], indexes[k], bodies[k], leaves[k]) = (ids[row], salt, first + k, body, Rfc6962.HashLeaf(body));
            }
        });

        session.Log.AddRange(bodies, leaves);
        await Dialect.InsertCommitmentsAsync(session, signalIds, salts, indexes, cancellationToken).ConfigureAwait(false);
    }
}
