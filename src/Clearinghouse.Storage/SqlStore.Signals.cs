using System.Runtime.InteropServices;
using System.Text;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Signals and opinions: every change takes a change-feed position.
public abstract partial class SqlStore
{
    private const int Withdrawn = (int)SignalStatus.Withdrawn;

    /// <inheritdoc />
    /// <remarks>
    /// Throws, writing nothing: <see cref="StoreError.NotFound"/> for a missing or deleted bank or an unknown
    /// contributor; <see cref="StoreError.Invalid"/> when an item has no type or value, or metadata that is not a
    /// JSON object. Added signals take consecutive change-feed positions in item order.
    /// </remarks>
    public Task<IReadOnlyList<AddSignalResult>> AddSignalsAsync(long bankId, long contributorMemberId, IReadOnlyList<NewSignal> signals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signals);
        for (int i = 0; i < signals.Count; i++)
        {
            RequireWellFormed(signals[i], i);
        }

        return WriteAsync<IReadOnlyList<AddSignalResult>>(WriteLock.Changes, async session =>
        {
            Bank bank = await RequireLiveBankAsync(session, bankId, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, contributorMemberId, cancellationToken).ConfigureAwait(false);
            bool requiresDesignation = await RequiresDesignationAsync(session, bank.Category, cancellationToken).ConfigureAwait(false);

            var results = new AddSignalResult[signals.Count];
            SignalRows rows = Candidates(session, bank, contributorMemberId, signals, requiresDesignation, results, out int[] itemOfRow);
            long[] ids = await Dialect.InsertSignalsAsync(session, rows, cancellationToken).ConfigureAwait(false);
            session.Clock.Reserve(rows.Count);

            // Rows the insert skipped duplicate a live signal (stored before, or earlier in this batch): name it.
            var skipped = new List<int>();
            for (int row = 0; row < ids.Length; row++)
            {
                if (ids[row] == 0)
                {
                    skipped.Add(row);
                }
                else
                {
                    results[itemOfRow[row]] = new AddSignalResult(ids[row], SignalRejection.None);
                }
            }

            if (skipped.Count > 0)
            {
                long[] existing = await Dialect.FindLiveSignalsAsync(
                    session, bankId, [.. skipped.Select(row => (rows.Types[row], rows.Values[row]))], cancellationToken).ConfigureAwait(false);
                for (int k = 0; k < skipped.Count; k++)
                {
                    // Skipped without a live duplicate would mean some other constraint fired: never report that as a duplicate.
                    results[itemOfRow[skipped[k]]] = existing[k] != 0
                        ? new AddSignalResult(existing[k], SignalRejection.Duplicate)
                        : throw new InvalidOperationException($"signals[{itemOfRow[skipped[k]]}] was not inserted, yet no live signal has its type and value");
                }
            }

            return results;
        }, cancellationToken);
    }

    public Task<Signal?> GetSignalAsync(long signalId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {Rows.SignalColumns} FROM signals WHERE id = @id", Rows.Signal, cancellationToken, ("@id", signalId)), cancellationToken);

    public Task<Signal?> FindSignalByPublicIdAsync(string publicId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {Rows.SignalColumns} FROM signals WHERE public_id = @id", Rows.Signal, cancellationToken, ("@id", publicId)), cancellationToken);

    /// <inheritdoc />
    /// <remarks>In id order.</remarks>
    public async Task<IReadOnlyList<Signal>> GetSignalsAsync(IReadOnlyCollection<long> signalIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signalIds);
        return signalIds.Count == 0
            ? []
            : await ReadAsync(session => session.QueryAsync(
                $"SELECT {Rows.SignalColumns} FROM signals WHERE {Dialect.IdIn("id", "@ids")} ORDER BY id",
                Rows.Signal,
                cancellationToken,
                ("@ids", Dialect.IdList(signalIds))), cancellationToken).ConfigureAwait(false);
    }

    public Task<Page<Signal>> ListSignalsAsync(SignalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireLimit(query.Limit);
        var sql = new StringBuilder($"SELECT {Rows.SignalColumns} FROM signals WHERE id > @after");
        List<(string, object?)> parameters = [("@after", query.AfterId), ("@limit", (long)query.Limit + 1)]; // one more tells whether a page follows
        if (query.BankId is not null)
        {
            sql.Append(" AND bank_id = @bank");
            parameters.Add(("@bank", query.BankId));
        }

        if (query.SignalType is not null)
        {
            sql.Append(" AND signal_type = @type");
            parameters.Add(("@type", query.SignalType));
        }

        if (query.Status is not null)
        {
            sql.Append(" AND status = @status");
            parameters.Add(("@status", (int)query.Status));
        }

        sql.Append(" ORDER BY id LIMIT @limit");
        return ReadAsync(async session =>
        {
            List<Signal> rows = await session.QueryAsync(
                sql.ToString(), Rows.Signal, cancellationToken, CollectionsMarshal.AsSpan(parameters)).ConfigureAwait(false);
            return ToPage(rows, query.Limit, s => s.Id);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.NotFound"/> when there is no such signal.</remarks>
    public Task<bool> WithdrawSignalAsync(long signalId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, async session =>
        {
            int changed = await session.ExecuteAsync(
                $"UPDATE signals SET status = {Withdrawn}, change_seq = @seq WHERE id = @id AND status <> {Withdrawn}",
                cancellationToken,
                ("@seq", session.Clock.Current + 1),
                ("@id", signalId)).ConfigureAwait(false);
            if (changed == 1)
            {
                session.Clock.Next();
                return true;
            }

            await RequireSignalAsync(session, signalId, cancellationToken).ConfigureAwait(false);
            return false;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The status follows <see cref="SignalStatusRule"/>. <see cref="StoreError.NotFound"/> for an unknown signal
    /// or member.
    /// </remarks>
    public Task<Signal> RecordOpinionAsync(long signalId, long memberId, OpinionKind kind, string? note, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(kind))
        {
            throw Invalid($"unknown opinion kind {(int)kind}");
        }

        return WriteAsync(WriteLock.Changes, async session =>
        {
            Signal signal = await RequireSignalAsync(session, signalId, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, memberId, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(
                """
                INSERT INTO opinions (signal_id, member_id, kind, note, at_us) VALUES (@signal, @member, @kind, @note, @at)
                ON CONFLICT (signal_id, member_id) DO UPDATE SET kind = excluded.kind, note = excluded.note, at_us = excluded.at_us
                """,
                cancellationToken,
                ("@signal", signalId),
                ("@member", memberId),
                ("@kind", (int)kind),
                ("@note", note),
                ("@at", session.NowMicros)).ConfigureAwait(false);

            var counts = new int[3];
            foreach ((int k, long n) in await session.QueryAsync(
                "SELECT kind, count(*) FROM opinions WHERE signal_id = @signal GROUP BY kind",
                r => (r.GetInt32(0), r.GetInt64(1)),
                cancellationToken,
                ("@signal", signalId)).ConfigureAwait(false))
            {
                counts[k] = (int)n;
            }

            var summary = new OpinionSummary(counts[(int)OpinionKind.Positive], counts[(int)OpinionKind.Negative], counts[(int)OpinionKind.InvestigationSeed]);
            Signal updated = signal with
            {
                Opinions = summary,
                Status = SignalStatusRule.After(signal.Status, summary),
                ChangeSeq = session.Clock.Next(),
            };
            await session.ExecuteAsync(
                "UPDATE signals SET positive = @positive, negative = @negative, investigation_seed = @seed, status = @status, change_seq = @seq WHERE id = @id",
                cancellationToken,
                ("@positive", summary.Positive),
                ("@negative", summary.Negative),
                ("@seed", summary.InvestigationSeed),
                ("@status", (int)updated.Status),
                ("@seq", updated.ChangeSeq),
                ("@id", signalId)).ConfigureAwait(false);
            return updated;
        }, cancellationToken);
    }

    /// <summary>The signal's opinions, in member order.</summary>
    public async Task<IReadOnlyList<Opinion>> ListOpinionsAsync(long signalId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {Rows.OpinionColumns} FROM opinions WHERE signal_id = @signal ORDER BY member_id",
            Rows.Opinion,
            cancellationToken,
            ("@signal", signalId)), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The rows to insert: every item that passes the designation rule, with fresh public ids and consecutive
    /// positions after the clock's current one. <paramref name="itemOfRow"/> maps a row back to its item.
    /// </summary>
    private static SignalRows Candidates(
        Session session, Bank bank, long contributor, IReadOnlyList<NewSignal> signals, bool requiresDesignation, AddSignalResult[] results, out int[] itemOfRow)
    {
        int count = 0;
        for (int i = 0; i < signals.Count; i++)
        {
            if (requiresDesignation && string.IsNullOrWhiteSpace(signals[i].Designation))
            {
                results[i] = new AddSignalResult(0, SignalRejection.DesignationRequired);
            }
            else
            {
                count++;
            }
        }

        itemOfRow = new int[count];
        var types = new string[count];
        var values = new string[count];
        var designations = new string?[count];
        var metadata = new string?[count];
        for (int i = 0, row = 0; i < signals.Count; i++)
        {
            if (results[i].Rejection == SignalRejection.None)
            {
                NewSignal signal = signals[i];
                itemOfRow[row] = i;
                types[row] = signal.SignalType;
                values[row] = signal.Value;
                designations[row] = string.IsNullOrWhiteSpace(signal.Designation) ? null : signal.Designation;
                metadata[row] = signal.Metadata;
                row++;
            }
        }

        return new SignalRows
        {
            BankId = bank.Id,
            Category = bank.Category,
            ContributorId = contributor,
            CreatedMicros = session.NowMicros,
            FirstChangeSeq = session.Clock.Current + 1,
            PublicIds = PublicIds.NewSignalIds(count),
            Types = types,
            Values = values,
            Designations = designations,
            Metadata = metadata,
        };
    }

    private static void RequireWellFormed(NewSignal? signal, int index)
    {
        if (signal is null)
        {
            throw Invalid($"signals[{index}] is null");
        }

        if (string.IsNullOrEmpty(signal.SignalType))
        {
            throw Invalid($"signals[{index}] has no signal type");
        }

        if (string.IsNullOrEmpty(signal.Value))
        {
            throw Invalid($"signals[{index}] ({signal.SignalType}) has no value");
        }

        if (signal.Metadata is not null && !StoreJson.IsObject(signal.Metadata))
        {
            throw Invalid($"signals[{index}] ({signal.SignalType}): metadata must be one JSON object");
        }
    }

    private static async Task<Signal> RequireSignalAsync(Session session, long signalId, CancellationToken cancellationToken) =>
        await session.QuerySingleAsync(
            $"SELECT {Rows.SignalColumns} FROM signals WHERE id = @id", Rows.Signal, cancellationToken, ("@id", signalId)).ConfigureAwait(false)
        ?? throw NotFound($"there is no signal with id {signalId}");

    private static Page<T> ToPage<T>(List<T> rows, int limit, Func<T, long> id)
    {
        if (rows.Count <= limit)
        {
            return new Page<T>(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, id(rows[^1]));
    }
}
