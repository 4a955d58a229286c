using System.Security.Cryptography;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Disputes: filed by a member or by anyone holding a signal's public id; resolved by the operator. Filing and
// resolution are log entries (without the statement or contact, which may identify a person); the contributing
// member is told through its notification queue.
public abstract partial class SqlStore
{
    /// <summary>Longest dispute statement.</summary>
    public const int MaxDisputeStatement = 4000;

    /// <summary>Longest contact (e-mail address or similar) an outside filer may leave.</summary>
    public const int MaxDisputeContact = 320;

    /// <summary>Longest public reason for a resolution.</summary>
    public const int MaxResolutionReason = 2000;

    private const string DisputeColumns =
        "d.id, d.public_id, d.signal_id, s.public_id, d.filed_by, d.statement, d.contact, d.filed_us, d.filed_index, d.outcome, d.reason, d.resolved_us, d.resolved_index";

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.NotFound"/> for an unknown signal or member; <see cref="StoreError.Conflict"/> for a
    /// withdrawn signal; <see cref="StoreError.Invalid"/> for an empty or too long statement or contact.</remarks>
    public Task<Dispute> FileDisputeAsync(string signalPublicId, long? filedByMemberId, string statement, string? contact, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(statement) || statement.Length > MaxDisputeStatement)
        {
            throw Invalid($"a dispute's statement must have 1 to {MaxDisputeStatement} characters");
        }

        if (contact is not null && (string.IsNullOrWhiteSpace(contact) || contact.Length > MaxDisputeContact || contact.Any(char.IsControl)))
        {
            throw Invalid($"a contact, when given, must have 1 to {MaxDisputeContact} characters and no control characters");
        }

        return WriteAsync(WriteLock.Changes, async session =>
        {
            Signal signal = await session.QuerySingleAsync(
                $"SELECT {Rows.SignalColumns} FROM signals WHERE public_id = @id", Rows.Signal, cancellationToken, ("@id", signalPublicId ?? string.Empty)).ConfigureAwait(false)
                ?? throw NotFound($"there is no signal with public id '{signalPublicId}'");
            if (signal.Status == SignalStatus.Withdrawn)
            {
                throw Conflict($"signal {signal.PublicId} is already withdrawn");
            }

            string? filer = filedByMemberId is long member ? await MemberNameAsync(session, member, cancellationToken).ConfigureAwait(false) : null;
            string disputeId = NewDisputeId();
            long index = session.Log.Add(i => new DisputeFiled(i, EntryTime(session), disputeId, signal.PublicId, filer));
            long id = await session.ScalarAsync<long>(
                """
                INSERT INTO disputes (public_id, signal_id, filed_by, statement, contact, filed_us, filed_index)
                VALUES (@public_id, @signal, @filed_by, @statement, @contact, @at, @index) RETURNING id
                """,
                cancellationToken,
                ("@public_id", disputeId),
                ("@signal", signal.Id),
                ("@filed_by", filedByMemberId),
                ("@statement", statement),
                ("@contact", contact),
                ("@at", session.NowMicros),
                ("@index", index)).ConfigureAwait(false);
            if (signal.Status != SignalStatus.Disputed)
            {
                await SetStatusAsync(session, signal.Id, SignalStatus.Disputed, cancellationToken).ConfigureAwait(false);
            }

            await NotifyAsync(session, signal.ContributorMemberId, "dispute-filed", disputeId, signal.PublicId,
                filer is null ? "an outside party disputes this signal" : $"member {filer} disputes this signal", cancellationToken).ConfigureAwait(false);
            return new Dispute(id, disputeId, signal.Id, signal.PublicId, filedByMemberId, statement, contact, Micros.ToTime(session.NowMicros), index, null, null, null, null);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Upheld withdraws the signal (a signal-withdrawn entry in the same transaction). <see cref="StoreError.NotFound"/>
    /// for an unknown dispute or member; <see cref="StoreError.Conflict"/> when it is already resolved.</remarks>
    public Task<Dispute> ResolveDisputeAsync(string disputeId, DisputeOutcome outcome, string reason, long resolverMemberId, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(outcome))
        {
            throw Invalid($"unknown dispute outcome {(int)outcome}");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxResolutionReason)
        {
            throw Invalid($"a resolution's public reason must have 1 to {MaxResolutionReason} characters");
        }

        return WriteAsync(WriteLock.Changes, async session =>
        {
            Dispute dispute = await FindDisputeAsync(session, disputeId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound($"there is no dispute '{disputeId}'");
            if (dispute.Outcome is not null)
            {
                throw Conflict($"dispute {disputeId} was already resolved ({OutcomeName(dispute.Outcome.Value)})");
            }

            await RequireMemberAsync(session, resolverMemberId, cancellationToken).ConfigureAwait(false);
            long index = session.Log.Add(i => new DisputeResolved(i, EntryTime(session), disputeId, dispute.SignalPublicId, OutcomeName(outcome), reason));
            await session.ExecuteAsync(
                "UPDATE disputes SET outcome = @outcome, reason = @reason, resolved_us = @at, resolved_index = @index WHERE id = @id",
                cancellationToken,
                ("@outcome", (int)outcome),
                ("@reason", reason),
                ("@at", session.NowMicros),
                ("@index", index),
                ("@id", dispute.Id)).ConfigureAwait(false);

            Signal signal = await RequireSignalAsync(session, dispute.SignalId, cancellationToken).ConfigureAwait(false);
            if (outcome == DisputeOutcome.Upheld)
            {
                await WithdrawAsync(session, signal.Id, new SignalWithdrawal(resolverMemberId, $"dispute {disputeId} upheld: {reason}"), cancellationToken).ConfigureAwait(false);
                await EnqueueForPeersAsync(session, signal.Id, OutboxKind.UpheldDispute, $"dispute {disputeId} upheld on the importing node: {reason}", cancellationToken).ConfigureAwait(false);
            }
            else if (signal.Status == SignalStatus.Disputed && !signal.Opinions.IsMixed && !await HasOpenDisputesAsync(session, signal.Id, cancellationToken).ConfigureAwait(false))
            {
                await SetStatusAsync(session, signal.Id, SignalStatus.Active, cancellationToken).ConfigureAwait(false);
            }

            string detail = $"dispute {OutcomeName(outcome)}: {reason}";
            await NotifyAsync(session, signal.ContributorMemberId, "dispute-" + OutcomeName(outcome), disputeId, signal.PublicId, detail, cancellationToken).ConfigureAwait(false);
            if (dispute.FiledByMemberId is long filer && filer != signal.ContributorMemberId)
            {
                await NotifyAsync(session, filer, "dispute-" + OutcomeName(outcome), disputeId, signal.PublicId, detail, cancellationToken).ConfigureAwait(false);
            }

            return dispute with { Outcome = outcome, Reason = reason, ResolvedAt = Micros.ToTime(session.NowMicros), ResolvedIndex = index };
        }, cancellationToken);
    }

    public Task<Dispute?> GetDisputeAsync(string disputeId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => FindDisputeAsync(session, disputeId, cancellationToken), cancellationToken);

    public Task<Page<Dispute>> ListDisputesAsync(bool openOnly, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return ReadAsync(async session =>
        {
            List<Dispute> rows = await session.QueryAsync(
                $"SELECT {DisputeColumns} FROM disputes d JOIN signals s ON s.id = d.signal_id WHERE d.id > @after {(openOnly ? "AND d.outcome IS NULL" : string.Empty)} ORDER BY d.id LIMIT @limit",
                DisputeRow,
                cancellationToken,
                ("@after", afterId),
                ("@limit", (long)limit + 1)).ConfigureAwait(false);
            return ToPage(rows, limit, d => d.Id);
        }, cancellationToken);
    }

    public Task<Page<MemberNotification>> ListNotificationsAsync(long memberId, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return ReadAsync(async session =>
        {
            List<MemberNotification> rows = await session.QueryAsync(
                "SELECT id, member_id, kind, dispute_id, signal_public_id, detail, at_us FROM notifications WHERE member_id = @member AND id > @after ORDER BY id LIMIT @limit",
                r => new MemberNotification(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), Micros.ToTime(r.GetInt64(6))),
                cancellationToken,
                ("@member", memberId),
                ("@after", afterId),
                ("@limit", (long)limit + 1)).ConfigureAwait(false);
            return ToPage(rows, limit, n => n.Id);
        }, cancellationToken);
    }

    private static string OutcomeName(DisputeOutcome outcome) => outcome == DisputeOutcome.Upheld ? "upheld" : "rejected";

    /// <summary><c>dsp_</c> and 26 random base32 characters: unguessable, so a filer's id reveals no other dispute.</summary>
    private static string NewDisputeId() => "dsp_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz234567", 26);

    private static async Task<Dispute?> FindDisputeAsync(Session session, string disputeId, CancellationToken cancellationToken) =>
        await session.QuerySingleAsync(
            $"SELECT {DisputeColumns} FROM disputes d JOIN signals s ON s.id = d.signal_id WHERE d.public_id = @id",
            DisputeRow,
            cancellationToken,
            ("@id", disputeId ?? string.Empty)).ConfigureAwait(false);

    private static Dispute DisputeRow(System.Data.Common.DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetInt64(2),
        r.GetString(3),
        r.IsDBNull(4) ? null : r.GetInt64(4),
        r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        Micros.ToTime(r.GetInt64(7)),
        r.GetInt64(8),
        r.IsDBNull(9) ? null : (DisputeOutcome)r.GetInt32(9),
        r.IsDBNull(10) ? null : r.GetString(10),
        r.IsDBNull(11) ? null : Micros.ToTime(r.GetInt64(11)),
        r.IsDBNull(12) ? null : r.GetInt64(12));

    private static async Task<bool> HasOpenDisputesAsync(Session session, long signalId, CancellationToken cancellationToken) =>
        await session.ScalarAsync<long>(
            "SELECT count(*) FROM disputes WHERE signal_id = @id AND outcome IS NULL", cancellationToken, ("@id", signalId)).ConfigureAwait(false) > 0;

    /// <summary>Changes a signal's status, taking a change-feed position so every replica's index follows.</summary>
    private static Task<int> SetStatusAsync(Session session, long signalId, SignalStatus status, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE signals SET status = @status, change_seq = @seq WHERE id = @id",
            cancellationToken,
            ("@status", (int)status),
            ("@seq", session.Clock.Next()),
            ("@id", signalId));

    private static Task<int> NotifyAsync(Session session, long memberId, string kind, string disputeId, string signalPublicId, string detail, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO notifications (member_id, kind, dispute_id, signal_public_id, detail, at_us) VALUES (@member, @kind, @dispute, @signal, @detail, @at)",
            cancellationToken,
            ("@member", memberId),
            ("@kind", kind),
            ("@dispute", disputeId),
            ("@signal", signalPublicId),
            ("@detail", detail),
            ("@at", session.NowMicros));
}
