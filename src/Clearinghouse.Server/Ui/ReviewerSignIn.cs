using System.Globalization;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Ui;

/// <summary>The outcome of a sign-in attempt: the reviewer and member, or a message for the sign-in page.</summary>
internal sealed record SignInOutcome(Reviewer? Reviewer, Member? Member, string? Refusal)
{
    public bool Succeeded => Reviewer is not null;
}

/// <summary>
/// Checks a reviewer's organisation, username and password. Wrong passwords back off (<see cref="ReviewUiOptions"/>);
/// unknown names and disabled accounts get the same answer as a wrong password, after the same slow hash, so the
/// page does not reveal which accounts exist.
/// </summary>
internal sealed class ReviewerSignIn(IClearinghouseStore store, IReviewerStore reviewers, NodeOptions options, TimeProvider time)
{
    public const string WrongCredentials = "Sign-in failed: the organisation, username or password is wrong.";

    public async Task<SignInOutcome> SignInAsync(string? memberName, string? username, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(memberName) || string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password))
        {
            return new SignInOutcome(null, null, "Enter your organisation, username and password.");
        }

        var member = await store.FindMemberAsync(memberName.Trim(), cancellationToken).ConfigureAwait(false);
        var reviewer = member is null ? null : await reviewers.FindReviewerAsync(member.Id, username.Trim(), cancellationToken).ConfigureAwait(false);
        if (reviewer?.LockedUntil is { } until && until > time.GetUtcNow())
        {
            // Locked: the password is not even checked, so guessing gains nothing while the pause lasts.
            var wait = until - time.GetUtcNow();
            return new SignInOutcome(null, null, string.Create(
                CultureInfo.InvariantCulture,
                $"Too many wrong passwords: sign-in to this account is paused for {Math.Ceiling(wait.TotalSeconds)} more seconds (until {until.UtcDateTime:HH:mm:ss} UTC)."));
        }

        bool passwordRight = ReviewerPasswords.Verify(password, reviewer?.PasswordHash ?? ReviewerPasswords.DecoyHash);
        if (reviewer is null || member is null)
        {
            return new SignInOutcome(null, null, WrongCredentials);
        }

        if (!passwordRight)
        {
            var updated = await reviewers.RecordFailedSignInAsync(reviewer.Id, options.ReviewUi.LockoutAfter, CancellationToken.None).ConfigureAwait(false);
            return new SignInOutcome(null, null, updated.LockedUntil is { } lockedUntil && lockedUntil > time.GetUtcNow()
                ? string.Create(CultureInfo.InvariantCulture, $"{WrongCredentials} After {updated.FailedSignIns} wrong passwords in a row, sign-in to this account is paused until {lockedUntil.UtcDateTime:HH:mm:ss} UTC.")
                : WrongCredentials);
        }

        if (reviewer.IsDisabled || !member.Active || (reviewer.Scopes & ApiScopes.Review) == 0)
        {
            return new SignInOutcome(null, null, WrongCredentials);
        }

        reviewer = await reviewers.RecordSignInAsync(reviewer.Id, CancellationToken.None).ConfigureAwait(false);
        return new SignInOutcome(reviewer, member, null);
    }
}
