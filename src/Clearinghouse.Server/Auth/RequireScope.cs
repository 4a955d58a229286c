using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Clearinghouse.Server.Auth;

/// <summary>
/// Endpoint metadata: the route needs an API key holding at least one of <see cref="AnyOf"/>
/// (<see cref="ApiScopes.None"/>: any valid key). Routes without it are public (/status, /metrics, docs).
/// </summary>
internal sealed record RequireScope(ApiScopes AnyOf);

internal static class RequireScopeExtensions
{
    /// <summary>Requires a valid API key with one of <paramref name="anyOf"/> (none: any valid key).</summary>
    public static TBuilder RequireKey<TBuilder>(this TBuilder builder, ApiScopes anyOf)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequireScope(anyOf));

    /// <summary>The authenticated caller (set by <see cref="ApiKeyMiddleware"/> on routes that require a key).</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Features.Get<Caller>() ?? throw new InvalidOperationException("This route has no RequireKey metadata.");

    /// <summary>Scope names as members see them: hash, match, contribute, review, admin.</summary>
    public static string Describe(ApiScopes scopes)
    {
        var names = new List<string>(5);
        foreach (var scope in (ReadOnlySpan<ApiScopes>)[ApiScopes.Hash, ApiScopes.Match, ApiScopes.Contribute, ApiScopes.Review, ApiScopes.Admin])
        {
            if ((scopes & scope) != 0)
            {
                names.Add(scope.ToString().ToLowerInvariant());
            }
        }

        return string.Join(", ", names);
    }

    /// <summary>Parses a comma-separated scope list (names as in <see cref="Describe"/>, or "all").</summary>
    public static bool TryParseScopes(string? text, out ApiScopes scopes, out string? error)
    {
        scopes = ApiScopes.None;
        error = null;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            ApiScopes scope = part.ToLowerInvariant() switch
            {
                "hash" => ApiScopes.Hash,
                "match" => ApiScopes.Match,
                "contribute" => ApiScopes.Contribute,
                "review" => ApiScopes.Review,
                "admin" => ApiScopes.Admin,
                "all" => ApiScopes.All,
                _ => ApiScopes.None,
            };
            if (scope == ApiScopes.None)
            {
                error = $"unknown scope '{part}' (known: hash, match, contribute, review, admin, all)";
                return false;
            }

            scopes |= scope;
        }

        if (scopes == ApiScopes.None)
        {
            error = "at least one scope is needed (hash, match, contribute, review, admin, all)";
            return false;
        }

        return true;
    }
}
