using Clearinghouse.Server.Matching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api;

/// <summary>
/// Health routes, as HMA answers them (plain text), open without a key for load balancers and orchestrators:
/// /status is readiness (503 until the indexes are loaded, or when the change feed has not been read for
/// <see cref="NodeOptions.StaleAfter"/>), /status/live is liveness (200 whenever the process serves HTTP).
/// </summary>
internal static class StatusEndpoints
{
    public const string Alive = "I-AM-ALIVE";
    public const string NotLoaded = "INDEX-NOT-LOADED";
    public const string Stale = "INDEX-STALE";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/status", (NodeIndex index, NodeOptions options) => Readiness(index, options))
            .WithName("Status").WithTags("Health")
            .WithSummary("Readiness: 200 I-AM-ALIVE when the indexes are loaded and current; 503 INDEX-NOT-LOADED or INDEX-STALE otherwise")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");

        app.MapGet("/status/live", () => TypedResults.Text(Alive))
            .WithName("StatusLive").WithTags("Health")
            .WithSummary("Liveness: 200 I-AM-ALIVE whenever the process serves HTTP, whatever the index state")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Readiness(NodeIndex index, NodeOptions options)
    {
        if (!index.IsReady)
        {
            return TypedResults.Text(NotLoaded, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (options.StaleAfter > TimeSpan.Zero && Environment.TickCount64 - index.LastSyncTicks > options.StaleAfter.TotalMilliseconds)
        {
            return TypedResults.Text(Stale, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return TypedResults.Text(Alive);
    }
}
