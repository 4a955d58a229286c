using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Federation: peers, verified imports from them (logged with their provenance), the outbox of opinions owed back,
// and the member feed's read of this node's own signal-added entries.
public abstract partial class SqlStore : IFederationStore
{
    /// <summary>
    /// Rows per multi-row statement of import records: PostgreSQL gains from few round trips; Microsoft.Data.Sqlite
    /// binds parameters by name in time quadratic in their number, so SQLite (in-process, no round trips) takes few.
    /// </summary>
    private int ImportRowsPerStatement => Dialect is Sql.PostgresDialect ? 400 : 8;

    private const string PeerColumns =
        "id, name, url, verifier_key, api_key, banks, categories, local_bank_id, member_id, send_opinions, enabled, created_us, "
        + "cursor, frontier, checkpoint_size, checkpoint_root, checkpoint_note, imported, withdrawn, skipped, last_sync_us, last_error, last_error_us, stopped";

    private const string OutboxColumns = "id, peer_id, kind, peer_public_id, peer_signal_id, note, attempts, next_attempt_us, sent_us, last_error";

    /// <summary>The local member that contributes a peer's signals.</summary>
    public static string PeerMemberName(string peerName) => "peer:" + peerName;

    public Task<Peer> CreatePeerAsync(NewPeer peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        RequireName(peer.Name, "peer");
        if (!Uri.TryCreate(peer.Url, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid($"peer URL '{peer.Url}' is not an absolute http or https URL");
        }

        if (string.IsNullOrWhiteSpace(peer.VerifierKey) || string.IsNullOrWhiteSpace(peer.ApiKey))
        {
            throw Invalid("a peer needs its verifier key and the API key it issued to this node");
        }

        return WriteAsync(WriteLock.Changes, async session =>
        {
            await RequireLiveBankAsync(session, peer.LocalBankId, cancellationToken).ConfigureAwait(false);
            if (await session.ScalarAsync<long>("SELECT count(*) FROM peers WHERE name = @name", cancellationToken, ("@name", peer.Name)).ConfigureAwait(false) > 0)
            {
                throw Conflict($"a peer named \"{peer.Name}\" already exists");
            }

            string memberName = PeerMemberName(peer.Name);
            long? memberId = await session.ScalarAsync<long?>("SELECT id FROM members WHERE name = @name", cancellationToken, ("@name", memberName)).ConfigureAwait(false);
            if (memberId is null)
            {
                memberId = await session.ScalarAsync<long>(
                    "INSERT INTO members (name, created_us, active) VALUES (@name, @at, @active) RETURNING id",
                    cancellationToken, ("@name", memberName), ("@at", session.NowMicros), ("@active", true)).ConfigureAwait(false);
                session.Log.Add(index => new MemberJoined(index, EntryTime(session), memberName));
            }

            long id = await session.ScalarAsync<long>(
                """
                INSERT INTO peers (name, url, verifier_key, api_key, banks, categories, local_bank_id, member_id, send_opinions, enabled, created_us,
                                   cursor, frontier, checkpoint_size, imported, withdrawn, skipped, stopped)
                VALUES (@name, @url, @key, @apiKey, @banks, @categories, @bank, @member, @opinions, @enabled, @at, 0, @frontier, 0, 0, 0, 0, @stopped)
                RETURNING id
                """,
                cancellationToken,
                ("@name", peer.Name),
                ("@url", url.ToString().TrimEnd('/')),
                ("@key", peer.VerifierKey.Trim()),
                ("@apiKey", peer.ApiKey.Trim()),
                ("@banks", JoinList(peer.Banks)),
                ("@categories", JoinList(peer.Categories)),
                ("@bank", peer.LocalBankId),
                ("@member", memberId.Value),
                ("@opinions", peer.SendOpinions),
                ("@enabled", peer.Enabled),
                ("@at", session.NowMicros),
                ("@frontier", Array.Empty<byte>()),
                ("@stopped", false)).ConfigureAwait(false);
            return (await ReadPeerAsync(session, "id = @p", id, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);
    }

    public Task<Peer?> FindPeerAsync(string name, CancellationToken cancellationToken = default) =>
        ReadAsync(session => ReadPeerAsync(session, "name = @p", name, cancellationToken), cancellationToken);

    public Task<Peer?> GetPeerAsync(long peerId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => ReadPeerAsync(session, "id = @p", peerId, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<Peer>> ListPeersAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync($"SELECT {PeerColumns} FROM peers ORDER BY name", PeerRow, cancellationToken), cancellationToken).ConfigureAwait(false);

    public Task<bool> RemovePeerAsync(string name, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, async session =>
        {
            long? id = await session.ScalarAsync<long?>("SELECT id FROM peers WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
            if (id is null)
            {
                return false;
            }

            // SQLite does not enforce the cascades (foreign keys are off there), so delete explicitly on both.
            await session.ExecuteAsync("DELETE FROM federation_outbox WHERE peer_id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false);
            await session.ExecuteAsync("DELETE FROM imported_signals WHERE peer_id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false);
            await session.ExecuteAsync("DELETE FROM peers WHERE id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<Peer> SetPeerEnabledAsync(string name, bool enabled, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, async session =>
        {
            int changed = enabled
                ? await session.ExecuteAsync(
                    "UPDATE peers SET enabled = @enabled, stopped = @stopped, last_error = NULL, last_error_us = NULL WHERE name = @name",
                    cancellationToken, ("@enabled", true), ("@stopped", false), ("@name", name)).ConfigureAwait(false)
                : await session.ExecuteAsync("UPDATE peers SET enabled = @enabled WHERE name = @name", cancellationToken, ("@enabled", false), ("@name", name)).ConfigureAwait(false);
            return changed == 0
                ? throw NotFound($"there is no peer named \"{name}\"")
                : (await ReadPeerAsync(session, "name = @p", name, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    public Task RecordPeerErrorAsync(long peerId, string problem, bool halt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        string text = problem.Length <= 4096 ? problem : problem[..4096];
        return WriteAsync(WriteLock.Changes, async session =>
        {
            // A stop is sticky: a later transient error must not hide why the sync stopped.
            await session.ExecuteAsync(
                halt
                    ? "UPDATE peers SET last_error = @error, last_error_us = @at, stopped = @stop WHERE id = @id"
                    : "UPDATE peers SET last_error = @error, last_error_us = @at WHERE id = @id AND stopped = @stop",
                cancellationToken, ("@error", text), ("@at", session.NowMicros), ("@stop", halt), ("@id", peerId)).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<PeerBatchResult> ApplyPeerBatchAsync(long peerId, PeerBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.ToCursor < batch.FromCursor || batch.CheckpointSize < batch.ToCursor)
        {
            throw Invalid($"a batch covers [{batch.FromCursor}, {batch.ToCursor}) of a checkpoint of size {batch.CheckpointSize}");
        }

        return WriteAsync(WriteLock.Changes, async session =>
        {
            Peer peer = await ReadPeerAsync(session, "id = @p", peerId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound($"there is no peer with id {peerId}");
            if (batch.FromCursor != peer.State.Cursor)
            {
                return batch.ToCursor <= peer.State.Cursor && batch.CheckpointSize <= peer.State.CheckpointSize
                    ? new PeerBatchResult(0, 0, 0, AlreadyApplied: true)
                    : throw Conflict($"peer \"{peer.Name}\" is synced to entry {peer.State.Cursor}; a batch from {batch.FromCursor} does not follow it");
            }

            (int added, int duplicates) = await ImportSignalsAsync(session, peer, batch.Adds, cancellationToken).ConfigureAwait(false);
            int withdrawn = 0;
            foreach (PeerWithdrawal withdrawal in batch.Withdrawals)
            {
                withdrawn += await WithdrawImportAsync(session, peer, withdrawal, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }

            await session.ExecuteAsync(
                """
                UPDATE peers SET cursor = @cursor, frontier = @frontier, checkpoint_size = @size, checkpoint_root = @root, checkpoint_note = @note,
                    imported = imported + @added, withdrawn = withdrawn + @withdrawn, skipped = skipped + @skipped,
                    last_sync_us = @at, last_error = NULL, last_error_us = NULL
                WHERE id = @id
                """,
                cancellationToken,
                ("@cursor", batch.ToCursor),
                ("@frontier", batch.Frontier),
                ("@size", batch.CheckpointSize),
                ("@root", batch.CheckpointRoot),
                ("@note", batch.CheckpointNote),
                ("@added", (long)added),
                ("@withdrawn", (long)withdrawn),
                ("@skipped", (long)batch.Skipped),
                ("@at", session.NowMicros),
                ("@id", peerId)).ConfigureAwait(false);
            return new PeerBatchResult(added, duplicates, withdrawn, AlreadyApplied: false);
        }, cancellationToken);
    }

    /// <summary>
    /// Adds the batch's signals to the peer's bank through the bulk path (each logged as signal-added with its
    /// provenance) and records one import row per event. Events already imported (by peer public id) are skipped.
    /// </summary>
    private async Task<(int Added, int Duplicates)> ImportSignalsAsync(Session session, Peer peer, IReadOnlyList<ImportedSignal> adds, CancellationToken cancellationToken)
    {
        if (adds.Count == 0)
        {
            return (0, 0);
        }

        HashSet<string> seen = await ImportedAlreadyAsync(session, peer.Id, adds, cancellationToken).ConfigureAwait(false);
        var fresh = new List<ImportedSignal>(adds.Count);
        foreach (ImportedSignal add in adds)
        {
            if (seen.Add(add.PeerPublicId))
            {
                fresh.Add(add);
            }
        }

        if (fresh.Count == 0)
        {
            return (0, adds.Count);
        }

        Bank bank = await RequireLiveBankAsync(session, peer.LocalBankId, cancellationToken).ConfigureAwait(false);
        var items = new NewSignal[fresh.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = new NewSignal(fresh[i].SignalType, fresh[i].Value, fresh[i].Designation, ProvenanceMetadata(peer, fresh[i]));
        }

        var results = new AddSignalResult[items.Length];
        bool requiresDesignation = await RequiresDesignationAsync(session, bank.Category, cancellationToken).ConfigureAwait(false);
        SignalRows rows = Candidates(session, bank, peer.MemberId, items, requiresDesignation, results, out int[] itemOfRow, out int[] rowOfItem);
        long[] ids = await Dialect.InsertSignalsAsync(session, rows, cancellationToken).ConfigureAwait(false);
        session.Clock.Reserve(Array.FindLastIndex(ids, id => id != 0) + 1);
        var origins = new SignalOrigin[rows.Count];
        for (int row = 0; row < origins.Length; row++)
        {
            ImportedSignal add = fresh[itemOfRow[row]];
            origins[row] = new SignalOrigin(add.OriginLog, add.OriginPublicId, add.OriginMember);
        }

        await LogAddedSignalsAsync(session, bank, peer.MemberId, rows, ids, cancellationToken, origins).ConfigureAwait(false);

        // Values already live in the bank (imported from elsewhere, or added here): record the import, not owned.
        int[] skipped = [.. Enumerable.Range(0, ids.Length).Where(row => ids[row] == 0)];
        long[] live = (long[])ids.Clone();
        if (skipped.Length > 0)
        {
            long[] existing = await Dialect.FindLiveSignalsAsync(
                session, bank.Id, [.. skipped.Select(row => (rows.Types[row], rows.Values[row]))], cancellationToken).ConfigureAwait(false);
            for (int k = 0; k < skipped.Length; k++)
            {
                live[skipped[k]] = existing[k];
            }
        }

        int added = 0;
        var records = new List<object?[]>(fresh.Count);
        for (int item = 0; item < fresh.Count; item++)
        {
            int row = rowOfItem[item];
            if (row < 0 || live[row] == 0)
            {
                // Refused here (a category that needs a designation and has none): the peer's log vouches for it, but
                // this node's rules do not take it; it is counted as a duplicate-free skip by the caller's totals.
                continue;
            }

            bool owned = ids[row] != 0 && itemOfRow[row] == item;
            added += owned ? 1 : 0;
            ImportedSignal add = fresh[item];
            records.Add([peer.Id, add.PeerPublicId, add.PeerIndex, add.PeerSignalId, live[row], owned, add.OriginLog, add.OriginPublicId, add.OriginMember]);
        }

        await InsertRowsAsync(
            session,
            "imported_signals (peer_id, peer_public_id, peer_index, peer_signal_id, signal_id, owned, origin_log, origin_public_id, origin_member)",
            records,
            cancellationToken).ConfigureAwait(false);
        return (added, adds.Count - added);
    }

    /// <summary>Which of these events' peer public ids this peer already brought (the import key; a replay is skipped).</summary>
    private async Task<HashSet<string>> ImportedAlreadyAsync(Session session, long peerId, IReadOnlyList<ImportedSignal> adds, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int start = 0; start < adds.Count; start += ImportRowsPerStatement)
        {
            int count = Math.Min(ImportRowsPerStatement, adds.Count - start);
            var sql = new StringBuilder("SELECT peer_public_id FROM imported_signals WHERE peer_id = @peer AND peer_public_id IN (");
            DbCommand command = session.Command("");
            await using (command.ConfigureAwait(false))
            {
                Session.AddParameter(command, "@peer", peerId);
                for (int k = 0; k < count; k++)
                {
                    sql.Append(k == 0 ? "@id0" : $", @id{k}");
                    Session.AddParameter(command, $"@id{k}", adds[start + k].PeerPublicId);
                }

#pragma warning disable CA2100 // Built from this assembly's constants and parameter names only.
                command.CommandText = sql.Append(')').ToString();
#pragma warning restore CA2100
                DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        seen.Add(reader.GetString(0));
                    }
                }
            }
        }

        return seen;
    }

    /// <summary>Withdraws the local signal a peer's withdrawn signal was imported as, if this import created it.</summary>
    private static async Task<bool> WithdrawImportAsync(Session session, Peer peer, PeerWithdrawal withdrawal, CancellationToken cancellationToken)
    {
        long? signalId = await session.ScalarAsync<long?>(
            "SELECT signal_id FROM imported_signals WHERE peer_id = @peer AND peer_public_id = @id AND owned = @owned",
            cancellationToken, ("@peer", peer.Id), ("@id", withdrawal.PeerPublicId), ("@owned", true)).ConfigureAwait(false);
        if (signalId is null)
        {
            return false;
        }

        string reason = $"withdrawn on peer {peer.Name} ({withdrawal.PeerPublicId}): {withdrawal.Reason}";
        return await WithdrawAsync(session, signalId.Value, new SignalWithdrawal(peer.MemberId, reason.Length <= 4096 ? reason : reason[..4096]), cancellationToken).ConfigureAwait(false);
    }

    public Task<SignalProvenance?> GetProvenanceAsync(long signalId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            """
            SELECT i.signal_id, p.name, p.url, i.peer_public_id, i.peer_index, i.origin_log, i.origin_public_id, i.origin_member
            FROM imported_signals i JOIN peers p ON p.id = i.peer_id
            WHERE i.signal_id = @id ORDER BY i.owned DESC, i.peer_index LIMIT 1
            """,
            r => new SignalProvenance(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetString(6), r.GetString(7)),
            cancellationToken,
            ("@id", signalId)), cancellationToken);

    public async Task<IReadOnlyList<FeedSignal>> ReadFeedSignalsAsync(long fromIndex, long toIndex, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return await ReadAsync(session => session.QueryAsync(
            """
            SELECT c.log_index, s.id, s.public_id, s.signal_type, s.value, c.salt, s.bank_id, s.category, s.designation
            FROM signal_commitments c JOIN signals s ON s.id = c.signal_id
            WHERE c.log_index >= @from AND c.log_index < @to
            ORDER BY c.log_index LIMIT @limit
            """,
            r => new FeedSignal(
                r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetFieldValue<byte[]>(5), r.GetInt64(6), r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8)),
            cancellationToken,
            ("@from", fromIndex),
            ("@to", toIndex),
            ("@limit", (long)limit)), cancellationToken).ConfigureAwait(false);
    }

    // --- outbox ------------------------------------------------------------------------------------------------

    /// <summary>
    /// In the transaction of a local opinion or an upheld dispute: owes the peers that brought the signal (and allow
    /// it) a message. Writes nothing for a signal not imported.
    /// </summary>
    private static Task<int> EnqueueForPeersAsync(Session session, long signalId, OutboxKind kind, string note, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            """
            INSERT INTO federation_outbox (peer_id, kind, peer_public_id, peer_signal_id, note, created_us, attempts, next_attempt_us)
            SELECT i.peer_id, @kind, i.peer_public_id, i.peer_signal_id, @note, @at, 0, @at
            FROM imported_signals i JOIN peers p ON p.id = i.peer_id
            WHERE i.signal_id = @signal AND p.send_opinions = @yes
            """,
            cancellationToken,
            ("@kind", (int)kind),
            ("@note", note.Length <= 4096 ? note : note[..4096]),
            ("@at", session.NowMicros),
            ("@signal", signalId),
            ("@yes", true));

    public async Task<IReadOnlyList<OutboxItem>> ListDueOutboxAsync(long peerId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return await ReadAsync(session => session.QueryAsync(
            $"SELECT {OutboxColumns} FROM federation_outbox WHERE peer_id = @peer AND sent_us IS NULL AND next_attempt_us <= @now ORDER BY id LIMIT @limit",
            OutboxRow,
            cancellationToken,
            ("@peer", peerId),
            ("@now", Micros.From(now)),
            ("@limit", (long)limit)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(long peerId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {OutboxColumns} FROM federation_outbox WHERE peer_id = @peer ORDER BY id", OutboxRow, cancellationToken, ("@peer", peerId)), cancellationToken).ConfigureAwait(false);

    public Task MarkOutboxSentAsync(long itemId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, session => session.ExecuteAsync(
            "UPDATE federation_outbox SET sent_us = @at, attempts = attempts + 1, last_error = NULL WHERE id = @id",
            cancellationToken, ("@at", session.NowMicros), ("@id", itemId)), cancellationToken);

    public Task MarkOutboxFailedAsync(long itemId, string problem, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return WriteAsync(WriteLock.Changes, session => session.ExecuteAsync(
            "UPDATE federation_outbox SET attempts = attempts + 1, last_error = @error, next_attempt_us = @next WHERE id = @id",
            cancellationToken,
            ("@error", problem.Length <= 4096 ? problem : problem[..4096]),
            ("@next", Micros.From(nextAttemptAt)),
            ("@id", itemId)), cancellationToken);
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static Task<Peer?> ReadPeerAsync(Session session, string where, object key, CancellationToken cancellationToken) =>
        session.QuerySingleAsync($"SELECT {PeerColumns} FROM peers WHERE {where}", PeerRow, cancellationToken, ("@p", key));

    private static Peer PeerRow(DbDataReader r) =>
        new(
            r.GetInt64(0),
            r.GetString(1),
            r.GetString(2),
            r.GetString(3),
            r.GetString(4),
            SplitList(r.GetString(5)),
            SplitList(r.GetString(6)),
            r.GetInt64(7),
            r.GetInt64(8),
            r.GetBoolean(9),
            r.GetBoolean(10),
            Micros.ToTime(r.GetInt64(11)),
            new PeerSyncState(
                r.GetInt64(12),
                r.GetFieldValue<byte[]>(13),
                r.GetInt64(14),
                r.IsDBNull(15) ? null : r.GetFieldValue<byte[]>(15),
                r.IsDBNull(16) ? null : r.GetString(16),
                r.GetInt64(17),
                r.GetInt64(18),
                r.GetInt64(19),
                r.IsDBNull(20) ? null : Micros.ToTime(r.GetInt64(20)),
                r.IsDBNull(21) ? null : r.GetString(21),
                r.IsDBNull(22) ? null : Micros.ToTime(r.GetInt64(22)),
                r.GetBoolean(23)));

    private static OutboxItem OutboxRow(DbDataReader r) =>
        new(
            r.GetInt64(0),
            r.GetInt64(1),
            (OutboxKind)r.GetInt32(2),
            r.GetString(3),
            r.GetInt64(4),
            r.GetString(5),
            r.GetInt32(6),
            Micros.ToTime(r.GetInt64(7)),
            r.IsDBNull(8) ? null : Micros.ToTime(r.GetInt64(8)),
            r.IsDBNull(9) ? null : r.GetString(9));

    private static string JoinList(IReadOnlyList<string>? items)
    {
        if (items is null || items.Count == 0)
        {
            return "";
        }

        foreach (string item in items)
        {
            if (string.IsNullOrWhiteSpace(item) || item.Contains('\n', StringComparison.Ordinal))
            {
                throw Invalid($"'{item}' is not a bank or category name");
            }
        }

        return string.Join('\n', items);
    }

    private static string[] SplitList(string text) => text.Length == 0 ? [] : text.Split('\n');

    /// <summary>The imported signal's provenance as its metadata (shown by the API with the signal).</summary>
    private static string ProvenanceMetadata(Peer peer, ImportedSignal add)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("federation");
            json.WriteString("peer", peer.Name);
            json.WriteString("peer_url", peer.Url);
            json.WriteString("peer_public_id", add.PeerPublicId);
            json.WriteNumber("peer_index", add.PeerIndex);
            json.WriteString("origin_log", add.OriginLog);
            json.WriteString("origin_public_id", add.OriginPublicId);
            json.WriteString("origin_member", add.OriginMember);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Inserts rows with multi-row INSERT statements (parameters, never values in the SQL text).</summary>
    private async Task InsertRowsAsync(Session session, string tableAndColumns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        for (int start = 0; start < rows.Count; start += ImportRowsPerStatement)
        {
            int count = Math.Min(ImportRowsPerStatement, rows.Count - start);
            var sql = new StringBuilder("INSERT INTO ").Append(tableAndColumns).Append(" VALUES ");
            DbCommand command = session.Command("");
            await using (command.ConfigureAwait(false))
            {
                for (int k = 0; k < count; k++)
                {
                    object?[] row = rows[start + k];
                    sql.Append(k == 0 ? "(" : ", (");
                    for (int c = 0; c < row.Length; c++)
                    {
                        string name = $"@r{k}c{c}";
                        sql.Append(c == 0 ? name : ", " + name);
                        Session.AddParameter(command, name, row[c]);
                    }

                    sql.Append(')');
                }

#pragma warning disable CA2100 // Built from this assembly's constants and parameter names only.
                command.CommandText = sql.ToString();
#pragma warning restore CA2100
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Where an imported signal was first added: the origin log, its public id and contributor there.</summary>
internal readonly record struct SignalOrigin(string Log, string PublicId, string Member);
