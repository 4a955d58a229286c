using Clearinghouse.Server.Auth;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Ui;

/// <summary>Creating reviewers and changing their passwords, shared by the admin API and the CLI.</summary>
public static class ReviewerAccounts
{
    /// <summary>Creates a reviewer with a new password (checked, then hashed with Argon2id); the review scope is always included.</summary>
    public static Task<Reviewer> CreateAsync(IReviewerStore reviewers, long memberId, string username, string password, ApiScopes scopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviewers);
        RequireAcceptable(password);
        return reviewers.CreateReviewerAsync(memberId, username, ReviewerPasswords.Hash(password), scopes | ApiScopes.Review, cancellationToken);
    }

    /// <summary>Sets a new password; the reviewer's existing sessions end.</summary>
    public static Task<Reviewer> SetPasswordAsync(IReviewerStore reviewers, long reviewerId, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviewers);
        RequireAcceptable(password);
        return reviewers.SetReviewerPasswordAsync(reviewerId, ReviewerPasswords.Hash(password), cancellationToken);
    }

    /// <summary>Scope names as the API and CLI print them.</summary>
    public static string DescribeScopes(ApiScopes scopes) => RequireScopeExtensions.Describe(scopes);

    private static void RequireAcceptable(string password)
    {
        if (ReviewerPasswords.Problem(password) is { } problem)
        {
            throw new StoreException(StoreError.Invalid, problem);
        }
    }
}
