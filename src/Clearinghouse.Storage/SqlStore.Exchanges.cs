using System.Data.Common;
using System.Text;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Exchanges: imports from hash-sharing programs. A batch of a program's ordered updates is applied under the change
// lock in one transaction with its checkpoint, so a sync interrupted anywhere resumes from the last applied page
// without loss or duplication; the signals it adds and withdraws go on the change feed and the log like any other.
public abstract partial class SqlStore : IExchangeStore
{
    /// <summary>Record keys per lookup statement (well under both databases' parameter limits).</summary>
    private const int KeyChunk = 400;

    private const int MaxRecordKey = 512;

    private const string ExchangeColumns =
        "e.id, e.name, e.program, e.bank_id, e.contributor_id, e.settings, e.enabled, e.checkpoint, e.generation, e.created_us, e.last_sync_us, e.last_error, " +
        "(SELECT count(*) FROM exchange_signals x WHERE x.exchange_id = e.id)";

    public Task<Exchange> CreateExchangeAsync(NewExchange exchange, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        RequireName(exchange.Name, "exchange");
        if (string.IsNullOrWhiteSpace(exchange.Program) || exchange.Program.Length > 64)
        {
            throw Invalid("an exchange's program must have 1 to 64 characters");
        }

        if (exchange.Settings is null || !StoreJson.IsObject(exchange.Settings))
        {
            throw Invalid("an exchange's settings must be one JSON object");
        }

        return WriteAsync(WriteLock.Changes, async session =>
        {
            await RequireLiveBankAsync(session, exchange.BankId, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, exchange.ContributorMemberId, cancellationToken).ConfigureAwait(false);
            if (await FindExchangeAsync(session, exchange.Name, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw Conflict($"an exchange named '{exchange.Name}' already exists");
            }

            long id = await session.ScalarAsync<long>(
                """
                INSERT INTO exchanges (name, program, bank_id, contributor_id, settings, enabled, checkpoint, generation, created_us)
                VALUES (@name, @program, @bank, @contributor, @settings, @enabled, NULL, 0, @at) RETURNING id
                """,
                cancellationToken,
                ("@name", exchange.Name),
                ("@program", exchange.Program),
                ("@bank", exchange.BankId),
                ("@contributor", exchange.ContributorMemberId),
                ("@settings", exchange.Settings),
                ("@enabled", exchange.Enabled),
                ("@at", session.NowMicros)).ConfigureAwait(false);
            return (await ExchangeByIdAsync(session, id, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);
    }

    public Task<Exchange?> GetExchangeAsync(long exchangeId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => ExchangeByIdAsync(session, exchangeId, cancellationToken), cancellationToken);

    public Task<Exchange?> FindExchangeAsync(string name, CancellationToken cancellationToken = default) =>
        ReadAsync(session => FindExchangeAsync(session, name, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<Exchange>> ListExchangesAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync($"SELECT {ExchangeColumns} FROM exchanges e ORDER BY e.id", ExchangeRow, cancellationToken), cancellationToken).ConfigureAwait(false);

    public Task<Exchange> SetExchangeEnabledAsync(long exchangeId, bool enabled, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, async session =>
        {
            await RequireExchangeAsync(session, exchangeId, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync("UPDATE exchanges SET enabled = @enabled WHERE id = @id", cancellationToken, ("@enabled", enabled), ("@id", exchangeId)).ConfigureAwait(false);
            return (await ExchangeByIdAsync(session, exchangeId, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    public Task DeleteExchangeAsync(long exchangeId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, async session =>
        {
            await RequireExchangeAsync(session, exchangeId, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync("DELETE FROM exchange_signals WHERE exchange_id = @id", cancellationToken, ("@id", exchangeId)).ConfigureAwait(false);
            await session.ExecuteAsync("DELETE FROM exchanges WHERE id = @id", cancellationToken, ("@id", exchangeId)).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task RecordExchangeErrorAsync(long exchangeId, string? problem, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.None, async session =>
        {
            int rows = await session.ExecuteAsync(
                "UPDATE exchanges SET last_error = @error, last_sync_us = @at WHERE id = @id",
                cancellationToken,
                ("@error", problem is { Length: > 4000 } ? problem[..4000] : problem),
                ("@at", session.NowMicros),
                ("@id", exchangeId)).ConfigureAwait(false);
            return rows == 1 ? true : throw NotFound($"there is no exchange with id {exchangeId}");
        }, cancellationToken);

    public Task<Page<ExchangeSignal>> ListExchangeSignalsAsync(long exchangeId, long afterSignalId, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return ReadAsync(async session =>
        {
            List<ExchangeSignal> rows = await session.QueryAsync(
                "SELECT signal_id, record_key, labels, generation FROM exchange_signals WHERE exchange_id = @id AND signal_id > @after ORDER BY signal_id LIMIT @limit",
                r => new ExchangeSignal(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3)),
                cancellationToken,
                ("@id", exchangeId),
                ("@after", afterSignalId),
                ("@limit", (long)limit + 1)).ConfigureAwait(false);
            return ToPage(rows, limit, s => s.SignalId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Records with the same key in one batch: the last one wins (updates are ordered). A value already live in the
    /// bank but not imported by this exchange (added by a member, or by another exchange or record) is left alone
    /// and reported as a conflict, as is a value the bank's category refuses without a designation.
    /// <see cref="StoreError.Invalid"/> for a malformed record (nothing written); <see cref="StoreError.NotFound"/>
    /// when the exchange or its bank is gone.
    /// </remarks>
    public Task<ExchangeApplyResult> ApplyExchangeBatchAsync(long exchangeId, ExchangeBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Dictionary<string, ExchangeRecord> records = LastRecordPerKey(batch.Records);
        return WriteAsync(WriteLock.Changes, async session =>
        {
            Exchange exchange = await RequireExchangeAsync(session, exchangeId, cancellationToken).ConfigureAwait(false);
            Bank bank = await RequireLiveBankAsync(session, exchange.BankId, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, exchange.ContributorMemberId, cancellationToken).ConfigureAwait(false);
            long generation = exchange.Generation + (batch.StartsFullFetch ? 1 : 0);
            var apply = new ExchangeApplication(exchange, generation);

            Dictionary<string, List<ImportedRow>> existing = await ImportedRowsAsync(session, exchangeId, records.Keys, cancellationToken).ConfigureAwait(false);
            var additions = new List<NewSignal>();
            var additionKeys = new List<(string Key, string Labels)>();
            foreach (ExchangeRecord record in records.Values)
            {
                List<ImportedRow> rows = existing.GetValueOrDefault(record.Key) ?? [];
                var wanted = record.Deleted ? [] : new HashSet<ExchangeValue>(record.Values);
                foreach (ImportedRow row in rows)
                {
                    if (!wanted.Remove(row.Value))
                    {
                        string why = record.Deleted ? record.DeleteReason ?? "deleted by the program" : "no longer carried by the program's record";
                        await WithdrawImportedAsync(session, apply, row.SignalId, $"{why} (record {record.Key})", cancellationToken).ConfigureAwait(false);
                    }
                    else if (row.Labels != record.Labels || row.Generation != generation)
                    {
                        await session.ExecuteAsync(
                            "UPDATE exchange_signals SET labels = @labels, generation = @generation WHERE exchange_id = @exchange AND signal_id = @signal",
                            cancellationToken,
                            ("@labels", record.Labels),
                            ("@generation", generation),
                            ("@exchange", exchangeId),
                            ("@signal", row.SignalId)).ConfigureAwait(false);
                        if (row.Labels != record.Labels)
                        {
                            apply.Relabelled++;
                        }
                        else
                        {
                            apply.Unchanged++;
                        }
                    }
                    else
                    {
                        apply.Unchanged++;
                    }
                }

                foreach (ExchangeValue value in record.Values)
                {
                    if (wanted.Remove(value))
                    {
                        additions.Add(new NewSignal(value.SignalType, value.Value, null, Provenance(exchange, record)));
                        additionKeys.Add((record.Key, record.Labels));
                    }
                }
            }

            if (additions.Count > 0)
            {
                IReadOnlyList<AddSignalResult> results = await AddSignalsAsync(session, bank, exchange.ContributorMemberId, additions, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < results.Count; i++)
                {
                    (string key, string labels) = additionKeys[i];
                    NewSignal signal = additions[i];
                    switch (results[i].Rejection)
                    {
                        case SignalRejection.None:
                            await session.ExecuteAsync(
                                "INSERT INTO exchange_signals (exchange_id, signal_id, record_key, labels, generation) VALUES (@exchange, @signal, @key, @labels, @generation)",
                                cancellationToken,
                                ("@exchange", exchangeId),
                                ("@signal", results[i].SignalId),
                                ("@key", key),
                                ("@labels", labels),
                                ("@generation", generation)).ConfigureAwait(false);
                            apply.Added++;
                            break;
                        case SignalRejection.Duplicate:
                            apply.Conflicts.Add(new ExchangeConflict(key, signal.SignalType, signal.Value, "duplicate",
                                $"already live in bank '{bank.Name}' as signal {results[i].SignalId}, not imported by this record; left as it is", results[i].SignalId));
                            break;
                        default:
                            apply.Conflicts.Add(new ExchangeConflict(key, signal.SignalType, signal.Value, "designation_required",
                                $"bank '{bank.Name}' (category {bank.Category}) requires a designation reference, which the program does not give"));
                            break;
                    }
                }
            }

            if (batch.EndsFullFetch)
            {
                List<long> stale = await session.QueryAsync(
                    "SELECT signal_id FROM exchange_signals WHERE exchange_id = @exchange AND generation < @generation ORDER BY signal_id",
                    r => r.GetInt64(0),
                    cancellationToken,
                    ("@exchange", exchangeId),
                    ("@generation", generation)).ConfigureAwait(false);
                foreach (long signalId in stale)
                {
                    await WithdrawImportedAsync(session, apply, signalId, "no longer listed by the program (full fetch)", cancellationToken).ConfigureAwait(false);
                }
            }

            await session.ExecuteAsync(
                "UPDATE exchanges SET checkpoint = COALESCE(@checkpoint, checkpoint), generation = @generation, last_sync_us = @at, last_error = NULL WHERE id = @id",
                cancellationToken,
                ("@checkpoint", batch.Checkpoint),
                ("@generation", generation),
                ("@at", session.NowMicros),
                ("@id", exchangeId)).ConfigureAwait(false);
            return new ExchangeApplyResult(apply.Added, apply.Relabelled, apply.Withdrawn, apply.Unchanged, apply.Conflicts);
        }, cancellationToken);
    }

    /// <summary>Checks each record and keeps the last update of each key, in first-seen key order.</summary>
    private static Dictionary<string, ExchangeRecord> LastRecordPerKey(IReadOnlyList<ExchangeRecord> records)
    {
        var byKey = new Dictionary<string, ExchangeRecord>(records.Count, StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            ExchangeRecord record = records[i] ?? throw Invalid($"records[{i}] is null");
            if (string.IsNullOrEmpty(record.Key) || record.Key.Length > MaxRecordKey)
            {
                throw Invalid($"records[{i}]: a record key must have 1 to {MaxRecordKey} characters");
            }

            if (record.Labels is null || !StoreJson.IsObject(record.Labels))
            {
                throw Invalid($"records[{i}] ({record.Key}): labels must be one JSON object");
            }

            for (int v = 0; v < record.Values.Count; v++)
            {
                if (string.IsNullOrEmpty(record.Values[v].SignalType) || string.IsNullOrEmpty(record.Values[v].Value))
                {
                    throw Invalid($"records[{i}] ({record.Key}): values[{v}] has no signal type or value");
                }
            }

            byKey[record.Key] = record;
        }

        return byKey;
    }

    /// <summary>The signal's metadata: where it came from and the record's labels when it was imported.</summary>
    private static string Provenance(Exchange exchange, ExchangeRecord record)
    {
        var json = new StringBuilder(64 + record.Labels.Length);
        json.Append("{\"exchange\":").Append(System.Text.Json.JsonSerializer.Serialize(exchange.Name, StoreJsonContext.Default.String))
            .Append(",\"program\":").Append(System.Text.Json.JsonSerializer.Serialize(exchange.Program, StoreJsonContext.Default.String))
            .Append(",\"record\":").Append(System.Text.Json.JsonSerializer.Serialize(record.Key, StoreJsonContext.Default.String))
            .Append(",\"labels\":").Append(record.Labels).Append('}');
        return json.ToString();
    }

    private static async Task WithdrawImportedAsync(Session session, ExchangeApplication apply, long signalId, string reason, CancellationToken cancellationToken)
    {
        string publicReason = $"exchange '{apply.Exchange.Name}' ({apply.Exchange.Program}): {reason}";
        if (publicReason.Length > 4096)
        {
            publicReason = publicReason[..4096];
        }

        if (await WithdrawAsync(session, signalId, new SignalWithdrawal(apply.Exchange.ContributorMemberId, publicReason), cancellationToken).ConfigureAwait(false))
        {
            apply.Withdrawn++;
        }

        await session.ExecuteAsync(
            "DELETE FROM exchange_signals WHERE exchange_id = @exchange AND signal_id = @signal",
            cancellationToken,
            ("@exchange", apply.Exchange.Id),
            ("@signal", signalId)).ConfigureAwait(false);
    }

    /// <summary>The rows this exchange holds for <paramref name="keys"/>, with their signals' values, by key.</summary>
    private static async Task<Dictionary<string, List<ImportedRow>>> ImportedRowsAsync(Session session, long exchangeId, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<string, List<ImportedRow>>(StringComparer.Ordinal);
        string[] all = [.. keys];
        for (int start = 0; start < all.Length; start += KeyChunk)
        {
            int count = Math.Min(KeyChunk, all.Length - start);
            var parameters = new (string Name, object? Value)[count + 1];
            var placeholders = new StringBuilder();
            parameters[0] = ("@exchange", exchangeId);
            for (int k = 0; k < count; k++)
            {
                parameters[k + 1] = ("@k" + k.ToString(System.Globalization.CultureInfo.InvariantCulture), all[start + k]);
                placeholders.Append(k == 0 ? "@k" : ", @k").Append(k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            List<(string Key, ImportedRow Row)> rows = await session.QueryAsync(
                $"SELECT x.record_key, x.signal_id, s.signal_type, s.value, x.labels, x.generation FROM exchange_signals x JOIN signals s ON s.id = x.signal_id WHERE x.exchange_id = @exchange AND x.record_key IN ({placeholders}) ORDER BY x.signal_id",
                r => (r.GetString(0), new ImportedRow(r.GetInt64(1), new ExchangeValue(r.GetString(2), r.GetString(3)), r.GetString(4), r.GetInt64(5))),
                cancellationToken,
                parameters).ConfigureAwait(false);
            foreach ((string key, ImportedRow row) in rows)
            {
                if (!byKey.TryGetValue(key, out List<ImportedRow>? list))
                {
                    byKey[key] = list = [];
                }

                list.Add(row);
            }
        }

        return byKey;
    }

    private static async Task<Exchange> RequireExchangeAsync(Session session, long exchangeId, CancellationToken cancellationToken) =>
        await ExchangeByIdAsync(session, exchangeId, cancellationToken).ConfigureAwait(false)
        ?? throw NotFound($"there is no exchange with id {exchangeId}");

    private static Task<Exchange?> ExchangeByIdAsync(Session session, long exchangeId, CancellationToken cancellationToken) =>
        session.QuerySingleAsync($"SELECT {ExchangeColumns} FROM exchanges e WHERE e.id = @id", ExchangeRow, cancellationToken, ("@id", exchangeId));

    private static Task<Exchange?> FindExchangeAsync(Session session, string name, CancellationToken cancellationToken) =>
        session.QuerySingleAsync($"SELECT {ExchangeColumns} FROM exchanges e WHERE e.name = @name", ExchangeRow, cancellationToken, ("@name", name ?? string.Empty));

    private static Exchange ExchangeRow(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.GetInt64(3),
        r.GetInt64(4),
        r.GetString(5),
        r.GetBoolean(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.GetInt64(8),
        Micros.ToTime(r.GetInt64(9)),
        r.IsDBNull(10) ? null : Micros.ToTime(r.GetInt64(10)),
        r.IsDBNull(11) ? null : r.GetString(11),
        r.GetInt64(12));

    private readonly record struct ImportedRow(long SignalId, ExchangeValue Value, string Labels, long Generation);

    /// <summary>Counts and conflicts of one batch as it is applied.</summary>
    private sealed class ExchangeApplication(Exchange exchange, long generation)
    {
        public Exchange Exchange { get; } = exchange;

        public long Generation { get; } = generation;

        public int Added { get; set; }

        public int Relabelled { get; set; }

        public int Withdrawn { get; set; }

        public int Unchanged { get; set; }

        public List<ExchangeConflict> Conflicts { get; } = [];
    }
}
