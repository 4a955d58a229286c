using System.Runtime.InteropServices;
using System.Text;
using Clearinghouse.Ledger.Entries;
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
    /// JSON object. Added signals take ids and change-feed positions in (type, value) order — the
    /// order they are inserted in, for speed — not necessarily in item order.
    /// </remarks>
    public Task<IReadOnlyList<AddSignalResult>> AddSignalsAsync(long bankId, long contributorMemberId, IReadOnlyList<NewSignal> signals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signals);
        for (int i = 0; i < signals.Count; i++)
        {
            RequireWellFormed(signals[i], i);
        }

        return WriteAsync(WriteLock.Changes, async session =>
        {
            Bank bank = await RequireLiveBankAsync(session, bankId, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, contributorMemberId, cancellationToken).ConfigureAwait(false);
            return await AddSignalsAsync(session, bank, contributorMemberId, signals, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>
    /// Adds well-formed signals to a live bank inside a write holding the change lock (the contributor checked by the
    /// caller): inserted in (type, value) order, each added one logged as signal-added with its commitment.
    /// </summary>
    private async Task<IReadOnlyList<AddSignalResult>> AddSignalsAsync(Session session, Bank bank, long contributorMemberId, IReadOnlyList<NewSignal> signals, CancellationToken cancellationToken)
    {
        long bankId = bank.Id;
        {
            bool requiresDesignation = await RequiresDesignationAsync(session, bank.Category, cancellationToken).ConfigureAwait(false);

            var results = new AddSignalResult[signals.Count];
            SignalRows rows = Candidates(session, bank, contributorMemberId, signals, requiresDesignation, results, out int[] itemOfRow, out int[] rowOfItem);
            long[] ids = await Dialect.InsertSignalsAsync(session, rows, cancellationToken).ConfigureAwait(false);
            // Rows took positions FirstChangeSeq + row; the counter moves to the last one a row actually kept.
            session.Clock.Reserve(Array.FindLastIndex(ids, id => id != 0) + 1);
            await LogAddedSignalsAsync(session, bank, contributorMemberId, rows, ids, cancellationToken).ConfigureAwait(false);

            // Rows the insert skipped are live in the bank already: find those signals' ids.
            int[] skipped = [.. Enumerable.Range(0, ids.Length).Where(row => ids[row] == 0)];
            long[] live = (long[])ids.Clone();
            if (skipped.Length > 0)
            {
                long[] existing = await Dialect.FindLiveSignalsAsync(
                    session, bankId, [.. skipped.Select(row => (rows.Types[row], rows.Values[row]))], cancellationToken).ConfigureAwait(false);
                for (int k = 0; k < skipped.Length; k++)
                {
                    // Skipped without a live duplicate would mean some other constraint fired: never report that as a duplicate.
                    live[skipped[k]] = existing[k] != 0
                        ? existing[k]
                        : throw new InvalidOperationException($"signals[{itemOfRow[skipped[k]]}] was not inserted, yet no live signal has its type and value");
                }
            }

            for (int item = 0; item < results.Length; item++)
            {
                int row = rowOfItem[item];
                if (row >= 0)
                {
                    bool added = ids[row] != 0 && itemOfRow[row] == item;
                    results[item] = new AddSignalResult(live[row], added ? SignalRejection.None : SignalRejection.Duplicate);
                }
            }

            return results;
        }
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
            : await ReadAsync(session => Dialect.QuerySignalsAsync(
                session,
                $"SELECT {Rows.SignalColumns} FROM signals WHERE {Dialect.IdIn("id", "@ids")} ORDER BY id",
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
            List<Signal> rows = await Dialect.QuerySignalsAsync(
                session, sql.ToString(), cancellationToken, CollectionsMarshal.AsSpan(parameters)).ConfigureAwait(false);
            return ToPage(rows, query.Limit, s => s.Id);
        }, cancellationToken);
    }

    /// <summary>The public reason logged when a contributor withdraws a signal without giving one.</summary>
    public const string DefaultWithdrawalReason = "withdrawn";

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.NotFound"/> when there is no such signal.</remarks>
    public Task<bool> WithdrawSignalAsync(long signalId, CancellationToken cancellationToken = default) =>
        WithdrawSignalAsync(signalId, new SignalWithdrawal(null, DefaultWithdrawalReason), cancellationToken);

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.NotFound"/> when there is no such signal or member; <see cref="StoreError.Invalid"/>
    /// for an empty reason or one longer than 4096 characters.</remarks>
    public Task<bool> WithdrawSignalAsync(long signalId, SignalWithdrawal withdrawal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(withdrawal);
        RequireReason(withdrawal.Reason);
        return WriteAsync(WriteLock.Changes, session => WithdrawAsync(session, signalId, withdrawal, cancellationToken), cancellationToken);
    }

    /// <summary>Withdraws a signal inside a write holding the change lock, logging who and why.</summary>
    private static async Task<bool> WithdrawAsync(Session session, long signalId, SignalWithdrawal withdrawal, CancellationToken cancellationToken)
    {
        Signal signal = await RequireSignalAsync(session, signalId, cancellationToken).ConfigureAwait(false);
        if (signal.Status == SignalStatus.Withdrawn)
        {
            return false;
        }

        string member = await MemberNameAsync(session, withdrawal.MemberId ?? signal.ContributorMemberId, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(
            $"UPDATE signals SET status = {Withdrawn}, change_seq = @seq WHERE id = @id",
            cancellationToken,
            ("@seq", session.Clock.Next()),
            ("@id", signalId)).ConfigureAwait(false);
        session.Log.Add(index => new SignalWithdrawn(index, EntryTime(session), signal.PublicId, member, withdrawal.Reason));
        return true;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="StoreError.NotFound"/> for an unknown signal or member; <see cref="StoreError.UnknownCategory"/> for
    /// a category the taxonomy lacks; <see cref="StoreError.Invalid"/> for a missing designation the category
    /// requires or a bad reason; <see cref="StoreError.Conflict"/> for a withdrawn signal. Takes a change-feed
    /// position, so every replica's indexes and match details follow.
    /// </remarks>
    public Task<Signal> RecategoriseSignalAsync(long signalId, SignalRecategorisation change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireReason(change.Reason);
        string? designation = string.IsNullOrWhiteSpace(change.Designation) ? null : change.Designation;
        return WriteAsync(WriteLock.Changes, async session =>
        {
            Signal signal = await RequireSignalAsync(session, signalId, cancellationToken).ConfigureAwait(false);
            if (signal.Status == SignalStatus.Withdrawn)
            {
                throw new StoreException(StoreError.Conflict, $"signal {signal.PublicId} is withdrawn; a withdrawn signal keeps its category");
            }

            if (await RequiresDesignationAsync(session, change.Category, cancellationToken).ConfigureAwait(false) && designation is null)
            {
                throw Invalid($"category '{change.Category}' requires a designation");
            }

            string member = await MemberNameAsync(session, change.MemberId, cancellationToken).ConfigureAwait(false);
            if (signal.Category == change.Category && signal.Designation == designation)
            {
                return signal;
            }

            long seq = session.Clock.Next();
            await session.ExecuteAsync(
                "UPDATE signals SET category = @category, designation = @designation, change_seq = @seq WHERE id = @id",
                cancellationToken,
                ("@category", change.Category),
                ("@designation", designation),
                ("@seq", seq),
                ("@id", signalId)).ConfigureAwait(false);
            session.Log.Add(index => new SignalRecategorised(
                index, EntryTime(session), signal.PublicId, signal.Category, change.Category, designation, member, change.Reason));
            return signal with { Category = change.Category, Designation = designation, ChangeSeq = seq };
        }, cancellationToken);
    }

    private static void RequireReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 4096)
        {
            throw Invalid("a reason must have 1 to 4096 characters");
        }
    }

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
                Status = SignalStatusRule.After(signal.Status, summary) is SignalStatus.Active && await HasOpenDisputesAsync(session, signalId, cancellationToken).ConfigureAwait(false)
                    ? SignalStatus.Disputed
                    : SignalStatusRule.After(signal.Status, summary),
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
            string member = await MemberNameAsync(session, memberId, cancellationToken).ConfigureAwait(false);
            session.Log.Add(index => new OpinionRecorded(index, EntryTime(session), signal.PublicId, member, OpinionName(kind)));
            if (kind == OpinionKind.Negative)
            {
                // Federation: a false positive on an imported signal is owed to the node it came from.
                await EnqueueForPeersAsync(session, signalId, OutboxKind.NegativeOpinion, note ?? $"false positive reported on {signal.PublicId}", cancellationToken).ConfigureAwait(false);
            }

            return updated;
        }, cancellationToken);
    }

    /// <summary>An opinion kind as the log writes it.</summary>
    private static string OpinionName(OpinionKind kind) => kind switch
    {
        OpinionKind.Positive => "positive",
        OpinionKind.Negative => "negative",
        _ => "investigation-seed",
    };

    /// <summary>The signal's opinions, in member order.</summary>
    public async Task<IReadOnlyList<Opinion>> ListOpinionsAsync(long signalId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {Rows.OpinionColumns} FROM opinions WHERE signal_id = @signal ORDER BY member_id",
            Rows.Opinion,
            cancellationToken,
            ("@signal", signalId)), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The rows to insert: one per distinct (type, value) among the items that pass the designation rule, in
    /// (type, value) order, with fresh public ids handed out in ascending order and consecutive positions after the
    /// clock's current one. Inserting in key order walks the value and public-id indexes front to back instead of at
    /// random, which is most of a bulk insert's cost. A row comes from the first item with its key
    /// (<paramref name="itemOfRow"/>); later items with the same key duplicate it (<paramref name="rowOfItem"/>
    /// maps every item to its row, or -1 when the item was rejected here).
    /// </summary>
    private static SignalRows Candidates(
        Session session, Bank bank, long contributor, IReadOnlyList<NewSignal> signals, bool requiresDesignation,
        AddSignalResult[] results, out int[] itemOfRow, out int[] rowOfItem)
    {
        rowOfItem = new int[signals.Count];
        var order = new List<int>(signals.Count);
        for (int i = 0; i < signals.Count; i++)
        {
            if (requiresDesignation && string.IsNullOrWhiteSpace(signals[i].Designation))
            {
                results[i] = new AddSignalResult(0, SignalRejection.DesignationRequired);
                rowOfItem[i] = -1;
            }
            else
            {
                order.Add(i);
            }
        }

        // Bulk imports arrive sorted already (SignalImporter writes in key order): one pass proves it, saving the sort.
        if (!IsInKeyOrder(signals, order))
        {
            order.Sort((a, b) =>
            {
                int byKey = CompareKeys(signals[a], signals[b]);
                return byKey != 0 ? byKey : a.CompareTo(b);
            });
        }

        // Equal keys are now adjacent, the earliest item first.
        var firstItems = new List<int>(order.Count);
        for (int k = 0; k < order.Count; k++)
        {
            int item = order[k];
            if (k == 0 || CompareKeys(signals[order[k - 1]], signals[item]) != 0)
            {
                firstItems.Add(item);
            }

            rowOfItem[item] = firstItems.Count - 1;
        }

        int count = firstItems.Count;
        itemOfRow = [.. firstItems];
        var types = new string[count];
        var values = new string[count];
        var designations = new string?[count];
        var metadata = new string?[count];
        for (int row = 0; row < count; row++)
        {
            NewSignal signal = signals[itemOfRow[row]];
            types[row] = signal.SignalType;
            values[row] = signal.Value;
            designations[row] = string.IsNullOrWhiteSpace(signal.Designation) ? null : signal.Designation;
            metadata[row] = signal.Metadata;
        }

        string[] publicIds = PublicIds.NewSignalIds(count, session.NowMicros / 1000);
        return new SignalRows
        {
            BankId = bank.Id,
            Category = bank.Category,
            ContributorId = contributor,
            CreatedMicros = session.NowMicros,
            FirstChangeSeq = session.Clock.Current + 1,
            PublicIds = publicIds,
            Types = types,
            Values = values,
            Designations = designations,
            Metadata = metadata,
        };
    }

    /// <summary>Whether the items are in (type, value) order, equal keys in item order: the order the sort gives.</summary>
    private static bool IsInKeyOrder(IReadOnlyList<NewSignal> signals, List<int> order)
    {
        for (int k = 1; k < order.Count; k++)
        {
            if (CompareKeys(signals[order[k - 1]], signals[order[k]]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int CompareKeys(NewSignal a, NewSignal b)
    {
        int byType = string.CompareOrdinal(a.SignalType, b.SignalType);
        return byType != 0 ? byType : string.CompareOrdinal(a.Value, b.Value);
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

        if (signal.Designation is { Length: > 256 } || (signal.Designation?.Any(char.IsControl) ?? false))
        {
            throw Invalid($"signals[{index}] ({signal.SignalType}): a designation has at most 256 characters and no control characters");
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
