using System.Data.Common;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// The change feed and match records.
public abstract partial class SqlStore
{
    public Task<long> GetChangePositionAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.ScalarAsync<long>("SELECT position FROM change_position WHERE id = 1", cancellationToken), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Both tables are read in one snapshot, and a position is only ever taken by a transaction that holds the
    /// change lock, which it releases at commit: so every snapshot holds all changes up to some position and none
    /// after it, and polling from the returned position never skips one. A row changed several times appears once,
    /// at its latest position.
    /// </remarks>
    public Task<ChangeBatch> ReadChangesAsync(long afterPosition, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        if (afterPosition < 0)
        {
            throw Invalid($"change position must not be negative, found {afterPosition}");
        }

        return ReadSnapshotAsync(async session =>
        {
            List<Bank> banks = await session.QueryAsync(
                $"SELECT {Rows.BankColumns} FROM banks WHERE change_seq > @after ORDER BY change_seq LIMIT @limit",
                Rows.Bank,
                cancellationToken,
                ("@after", afterPosition),
                ("@limit", (long)limit)).ConfigureAwait(false);
            List<Signal> signals = await session.QueryAsync(
                $"SELECT {Rows.SignalColumns} FROM signals WHERE change_seq > @after ORDER BY change_seq LIMIT @limit",
                Rows.Signal,
                cancellationToken,
                ("@after", afterPosition),
                ("@limit", (long)limit)).ConfigureAwait(false);
            KeepFirst(banks, signals, limit);
            long position = Math.Max(
                afterPosition,
                Math.Max(banks.Count > 0 ? banks[^1].ChangeSeq : 0, signals.Count > 0 ? signals[^1].ChangeSeq : 0));
            return new ChangeBatch(signals, banks, position);
        }, cancellationToken);
    }

    public Task RecordMatchesAsync(IReadOnlyList<MatchRecord> matches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matches);
        for (int i = 0; i < matches.Count; i++)
        {
            if (matches[i] is null || string.IsNullOrEmpty(matches[i].SignalType) || matches[i].Distance < 0)
            {
                throw Invalid($"matches[{i}] needs a signal type and a distance of 0 or more");
            }
        }

        if (matches.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(WriteLock.None, async session =>
        {
            // A record without a time is stamped with the time it is written.
            DateTimeOffset now = Micros.ToTime(session.NowMicros);
            MatchRecord[] stamped = [.. matches.Select(m => m.At == default ? m with { At = now } : m)];
            try
            {
                await Dialect.InsertMatchesAsync(session, stamped, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (Dialect.IsForeignKeyViolation(e))
            {
                throw NotFound("a match refers to an unknown member, signal or bank");
            }

            return stamped.Length;
        }, cancellationToken);
    }

    public Task<Page<MatchRecord>> ListMatchesAsync(long memberId, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return ReadAsync(async session => ToPage(
            await session.QueryAsync(
                $"SELECT {Rows.MatchColumns} FROM matches WHERE member_id = @member AND id > @after ORDER BY id LIMIT @limit",
                Rows.Match,
                cancellationToken,
                ("@member", memberId),
                ("@after", afterId),
                ("@limit", (long)limit + 1)).ConfigureAwait(false),
            limit,
            m => m.Id), cancellationToken);
    }

    /// <summary>Trims two position-ordered lists to the first <paramref name="limit"/> changes of both together.</summary>
    private static void KeepFirst(List<Bank> banks, List<Signal> signals, int limit)
    {
        if (banks.Count + signals.Count <= limit)
        {
            return;
        }

        int b = 0, s = 0;
        while (b + s < limit)
        {
            if (s == signals.Count || (b < banks.Count && banks[b].ChangeSeq < signals[s].ChangeSeq))
            {
                b++;
            }
            else
            {
                s++;
            }
        }

        banks.RemoveRange(b, banks.Count - b);
        signals.RemoveRange(s, signals.Count - s);
    }
}
