using Clearinghouse.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Clearinghouse.Server.Auth;

/// <summary>
/// Authenticates requests to routes carrying <see cref="RequireScope"/>: <c>Authorization: Bearer &lt;key&gt;</c> or
/// <c>X-Api-Key: &lt;key&gt;</c>. Missing, malformed, unknown, wrong or revoked keys get 401; a valid key without the
/// route's scope gets 403; both as problem+json.
/// </summary>
/// <remarks>
/// A middleware rather than an ASP.NET Core authentication handler: the match route is the node's hot path, and
/// this costs one cache lookup and one SHA-256 per request, with no ClaimsPrincipal to build. The caller travels
/// as a request feature; the rate limiter partitions by its key id.
/// </remarks>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator)
{
    public const string ApiKeyHeader = "X-Api-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        var requirement = context.GetEndpoint()?.Metadata.GetMetadata<RequireScope>();
        if (requirement is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var result = await authenticator.AuthenticateAsync(PresentedKey(context.Request), context.RequestAborted).ConfigureAwait(false);
        if (result.Caller is not { } caller)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", Explain(result.Failure)).ConfigureAwait(false);
            return;
        }

        if (requirement.AnyOf != Storage.ApiScopes.None && !caller.Has(requirement.AnyOf))
        {
            string needed = RequireScopeExtensions.Describe(requirement.AnyOf);
            string detail = needed.Contains(',', StringComparison.Ordinal)
                ? $"This API key lacks the scope this route needs (one of: {needed}); it has: {RequireScopeExtensions.Describe(caller.Scopes)}."
                : $"This API key lacks the '{needed}' scope this route needs; it has: {RequireScopeExtensions.Describe(caller.Scopes)}.";
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", detail).ConfigureAwait(false);
            return;
        }

        context.Features.Set(caller);
        await next(context).ConfigureAwait(false);
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            var value = authorization[0].AsSpan().Trim();
            const string bearer = "Bearer ";
            return value.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? value[bearer.Length..].Trim().ToString() : value.ToString();
        }

        var apiKey = request.Headers[ApiKeyHeader];
        return apiKey.Count > 0 ? apiKey[0]?.Trim() : null;
    }

    private static string Explain(AuthFailure failure) => failure switch
    {
        AuthFailure.Missing => $"An API key is required: send 'Authorization: Bearer <key>' or '{ApiKeyHeader}: <key>'.",
        AuthFailure.Malformed => "The API key is malformed: keys look like chk_<12 letters or digits>_<43 base64url characters>.",
        AuthFailure.Revoked => "This API key has been revoked.",
        AuthFailure.MemberInactive => "The member this API key belongs to is not active.",
        _ => "The API key is not valid.",
    };
}
