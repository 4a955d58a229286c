using System.Text.Json;
using System.Text.Json.Serialization;
using Clearinghouse.Server.Ui;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Json;

/// <summary>A reviewer account as the admin API and <c>clearinghouse reviewer list --json</c> show it (never the password hash).</summary>
public sealed record ReviewerInfo(
    long Id,
    long MemberId,
    string Username,
    string Scopes,
    bool Disabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DisabledAt,
    DateTimeOffset? LastSignInAt,
    DateTimeOffset? LockedUntil,
    ReviewerSettingsInfo Settings)
{
    public static ReviewerInfo From(Reviewer reviewer)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        return new(
            reviewer.Id,
            reviewer.MemberId,
            reviewer.Username,
            ReviewerAccounts.DescribeScopes(reviewer.Scopes),
            reviewer.IsDisabled,
            reviewer.CreatedAt,
            reviewer.DisabledAt,
            reviewer.LastSignInAt,
            reviewer.LockedUntil,
            new ReviewerSettingsInfo(reviewer.Settings.BlurPreviews, reviewer.Settings.BreakAfterItems, reviewer.Settings.BreakAfterMinutes));
    }
}

/// <summary>A reviewer's wellness settings.</summary>
public sealed record ReviewerSettingsInfo(bool BlurPreviews, int BreakAfterItems, int BreakAfterMinutes);

/// <summary>A new reviewer: its member, username, password (at least 12 characters) and optional extra scopes.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviewerCreateRequest(long MemberId, string Username, string Password, string? Scopes = null);

/// <summary>A reviewer's new password.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviewerPasswordRequest(string Password);

/// <summary>Serialisers for the reviewer administration bodies (kept apart from <see cref="NodeJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ReviewerInfo))]
[JsonSerializable(typeof(ReviewerInfo[]))]
[JsonSerializable(typeof(ReviewerCreateRequest))]
[JsonSerializable(typeof(ReviewerPasswordRequest))]
public sealed partial class ReviewerJsonContext : JsonSerializerContext;
