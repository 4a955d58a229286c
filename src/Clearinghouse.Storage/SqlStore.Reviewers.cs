using System.Data.Common;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Reviewer accounts. Member-internal: nothing here is shared state, so nothing goes on the transparency log.
public abstract partial class SqlStore : IReviewerStore
{
    private const string ReviewerColumns =
        "id, member_id, username, password_hash, scopes, blur_previews, break_after_items, break_after_minutes, created_us, disabled_us, session_epoch, failed_sign_ins, locked_until_us, last_sign_in_us";

    public Task<Reviewer> CreateReviewerAsync(long memberId, string username, string passwordHash, ApiScopes scopes, CancellationToken cancellationToken = default)
    {
        RequireUsername(username);
        if (string.IsNullOrEmpty(passwordHash))
        {
            throw Invalid("a reviewer needs a password hash");
        }

        if ((scopes & ApiScopes.Review) == 0 || (scopes & ~ApiScopes.All) != 0)
        {
            throw Invalid($"reviewer scopes {(int)scopes} must include review and name only hash, match, contribute, review and admin");
        }

        var settings = ReviewerSettings.Default;
        return WriteAsync(WriteLock.None, async session =>
        {
            await RequireMemberAsync(session, memberId, cancellationToken).ConfigureAwait(false);
            try
            {
                long id = await session.ScalarAsync<long>(
                    """
                    INSERT INTO reviewers (member_id, username, password_hash, scopes, blur_previews, break_after_items, break_after_minutes,
                                           created_us, session_epoch, failed_sign_ins)
                    VALUES (@member, @username, @hash, @scopes, @blur, @items, @minutes, @at, 0, 0) RETURNING id
                    """,
                    cancellationToken,
                    ("@member", memberId),
                    ("@username", username),
                    ("@hash", passwordHash),
                    ("@scopes", (int)scopes),
                    ("@blur", settings.BlurPreviews),
                    ("@items", settings.BreakAfterItems),
                    ("@minutes", settings.BreakAfterMinutes),
                    ("@at", session.NowMicros)).ConfigureAwait(false);
                return new Reviewer(id, memberId, username, passwordHash, scopes, settings, Micros.ToTime(session.NowMicros), null, 0, 0, null, null);
            }
            catch (DbException e) when (Dialect.IsUniqueViolation(e))
            {
                throw Conflict($"member {memberId} already has a reviewer named \"{username}\"");
            }
        }, cancellationToken);
    }

    public Task<Reviewer?> GetReviewerAsync(long reviewerId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {ReviewerColumns} FROM reviewers WHERE id = @id", ReadReviewer, cancellationToken, ("@id", reviewerId)), cancellationToken);

    public Task<Reviewer?> FindReviewerAsync(long memberId, string username, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {ReviewerColumns} FROM reviewers WHERE member_id = @member AND username = @username",
            ReadReviewer,
            cancellationToken,
            ("@member", memberId),
            ("@username", username)), cancellationToken);

    public async Task<IReadOnlyList<Reviewer>> ListReviewersAsync(long? memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => memberId is { } member
            ? session.QueryAsync($"SELECT {ReviewerColumns} FROM reviewers WHERE member_id = @member ORDER BY id", ReadReviewer, cancellationToken, ("@member", member))
            : session.QueryAsync($"SELECT {ReviewerColumns} FROM reviewers ORDER BY id", ReadReviewer, cancellationToken), cancellationToken).ConfigureAwait(false);

    public Task<Reviewer> SetReviewerDisabledAsync(long reviewerId, bool disabled, CancellationToken cancellationToken = default) =>
        UpdateReviewerAsync(
            reviewerId,
            disabled
                ? "UPDATE reviewers SET disabled_us = COALESCE(disabled_us, @now), session_epoch = session_epoch + 1 WHERE id = @id"
                : "UPDATE reviewers SET disabled_us = NULL WHERE id = @id",
            cancellationToken);

    public Task<Reviewer> SetReviewerPasswordAsync(long reviewerId, string passwordHash, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(passwordHash))
        {
            throw Invalid("a reviewer needs a password hash");
        }

        return UpdateReviewerAsync(
            reviewerId,
            "UPDATE reviewers SET password_hash = @value, failed_sign_ins = 0, locked_until_us = NULL, session_epoch = session_epoch + 1 WHERE id = @id",
            cancellationToken,
            passwordHash);
    }

    public Task<Reviewer> UpdateReviewerSettingsAsync(long reviewerId, ReviewerSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.BreakAfterItems is < 0 or > ReviewerSettings.MaxBreakAfterItems)
        {
            throw Invalid($"break after items must be 0 (never) to {ReviewerSettings.MaxBreakAfterItems}, found {settings.BreakAfterItems}");
        }

        if (settings.BreakAfterMinutes is < 0 or > ReviewerSettings.MaxBreakAfterMinutes)
        {
            throw Invalid($"break after minutes must be 0 (never) to {ReviewerSettings.MaxBreakAfterMinutes}, found {settings.BreakAfterMinutes}");
        }

        return WriteAsync(WriteLock.None, async session =>
        {
            await session.ExecuteAsync(
                "UPDATE reviewers SET blur_previews = @blur, break_after_items = @items, break_after_minutes = @minutes WHERE id = @id",
                cancellationToken,
                ("@blur", settings.BlurPreviews),
                ("@items", settings.BreakAfterItems),
                ("@minutes", settings.BreakAfterMinutes),
                ("@id", reviewerId)).ConfigureAwait(false);
            return await RequireReviewerAsync(session, reviewerId, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<Reviewer> RecordFailedSignInAsync(long reviewerId, Func<int, TimeSpan> lockoutFor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lockoutFor);
        return WriteAsync(WriteLock.None, async session =>
        {
            // The increment and the read happen in one write transaction, so concurrent failures each count.
            await session.ExecuteAsync("UPDATE reviewers SET failed_sign_ins = failed_sign_ins + 1 WHERE id = @id", cancellationToken, ("@id", reviewerId)).ConfigureAwait(false);
            Reviewer reviewer = await RequireReviewerAsync(session, reviewerId, cancellationToken).ConfigureAwait(false);
            TimeSpan lockout = lockoutFor(reviewer.FailedSignIns);
            if (lockout <= TimeSpan.Zero)
            {
                return reviewer;
            }

            long until = session.NowMicros + (long)(lockout.Ticks / TimeSpan.TicksPerMicrosecond);
            await session.ExecuteAsync("UPDATE reviewers SET locked_until_us = @until WHERE id = @id", cancellationToken, ("@until", until), ("@id", reviewerId)).ConfigureAwait(false);
            return reviewer with { LockedUntil = Micros.ToTime(until) };
        }, cancellationToken);
    }

    public Task<Reviewer> RecordSignInAsync(long reviewerId, CancellationToken cancellationToken = default) =>
        UpdateReviewerAsync(reviewerId, "UPDATE reviewers SET failed_sign_ins = 0, locked_until_us = NULL, last_sign_in_us = @now WHERE id = @id", cancellationToken);

    /// <summary>Runs one UPDATE of a reviewer (parameters @id, @now and @value) and returns the row after it.</summary>
    private Task<Reviewer> UpdateReviewerAsync(long reviewerId, string sql, CancellationToken cancellationToken, string? value = null) =>
        WriteAsync(WriteLock.None, async session =>
        {
            int changed = sql.Contains("@value", StringComparison.Ordinal)
                ? await session.ExecuteAsync(sql, cancellationToken, ("@id", reviewerId), ("@now", session.NowMicros), ("@value", value)).ConfigureAwait(false)
                : await session.ExecuteAsync(sql, cancellationToken, ("@id", reviewerId), ("@now", session.NowMicros)).ConfigureAwait(false);
            return changed == 0
                ? throw NotFound($"there is no reviewer with id {reviewerId}")
                : await RequireReviewerAsync(session, reviewerId, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private static async Task<Reviewer> RequireReviewerAsync(Session session, long reviewerId, CancellationToken cancellationToken) =>
        await session.QuerySingleAsync($"SELECT {ReviewerColumns} FROM reviewers WHERE id = @id", ReadReviewer, cancellationToken, ("@id", reviewerId)).ConfigureAwait(false)
        ?? throw NotFound($"there is no reviewer with id {reviewerId}");

    /// <summary>Usernames: 1 to 64 characters of letters, digits and . _ - @ (no spaces: they are typed at sign-in).</summary>
    private static void RequireUsername(string? username)
    {
        if (string.IsNullOrEmpty(username) || username.Length > 64)
        {
            throw Invalid("a reviewer's username must be 1 to 64 characters");
        }

        foreach (char c in username)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
            {
                throw Invalid($"username \"{username}\" may contain only ASCII letters, digits and . _ - @");
            }
        }
    }

    private static Reviewer ReadReviewer(DbDataReader r) =>
        new(
            r.GetInt64(0),
            r.GetInt64(1),
            r.GetString(2),
            r.GetString(3),
            (ApiScopes)r.GetInt32(4),
            new ReviewerSettings(r.GetBoolean(5), r.GetInt32(6), r.GetInt32(7)),
            Micros.ToTime(r.GetInt64(8)),
            r.IsDBNull(9) ? null : Micros.ToTime(r.GetInt64(9)),
            r.GetInt64(10),
            r.GetInt32(11),
            r.IsDBNull(12) ? null : Micros.ToTime(r.GetInt64(12)),
            r.IsDBNull(13) ? null : Micros.ToTime(r.GetInt64(13)));
}
