using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Clearinghouse.Media.Images;
using Clearinghouse.Server.Actions;
using Clearinghouse.Server.Api;
using Clearinghouse.Server.Api.Hma;
using Clearinghouse.Server.Api.Own;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Hashing;
using Clearinghouse.Server.Import;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Log;
using Clearinghouse.Server.Matching;
using Clearinghouse.Server.Telemetry;
using Clearinghouse.Server.Ui;
using Clearinghouse.Signals;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace Clearinghouse.Server;

/// <summary>Builds the node: services, middleware and every route, ready to run (<c>clearinghouse serve</c> hosts it).</summary>
public static class NodeApplication
{
    /// <summary>Where the OpenAPI document is served.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>Builds a node for <paramref name="options"/>; call <c>RunAsync</c> (or StartAsync) on the result.</summary>
    public static WebApplication Build(NodeOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(NodeApplication).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });

        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxBodyBytes, Math.Max(options.MaxUploadBytes, options.MaxImportBytes));
        });
        ConfigureLogging(builder.Logging, options);
        AddServices(builder.Services, options);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseReviewUi();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<BodyLimitMiddleware>();
        app.UseRateLimiter();
        MapRoutes(app, options);
        return app;
    }

    /// <summary>The addresses the started node listens on (the real port when port 0 was asked for).</summary>
    public static IReadOnlyList<string> BoundUrls(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        return addresses?.Addresses.ToList() ?? [];
    }

    private static void ConfigureLogging(ILoggingBuilder logging, NodeOptions options)
    {
        logging.ClearProviders();
        if (options.JsonLogs)
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        logging.SetMinimumLevel(options.LogLevel);

        // Per-request framework logs would cost the match route more than the match itself.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

        // "No XML encryptor configured": the review UI's cookie keys are protected by file permissions (UiSessions).
        logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
    }

    private static void AddServices(IServiceCollection services, NodeOptions options)
    {
        var types = options.SignalTypes ?? SignalTypeRegistry.CreateDefault();
        services.AddSingleton(options);
        services.AddSingleton(types);
        if (options.OwnsStore)
        {
            // A factory registration: the container disposes what it created when the node stops.
            services.AddSingleton(_ => options.Store);
        }
        else
        {
            services.AddSingleton(options.Store);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IClearinghouseStore>() as IReviewerStore
            ?? throw new InvalidOperationException($"The store {sp.GetRequiredService<IClearinghouseStore>().GetType().Name} keeps no reviewer accounts (IReviewerStore), which the review UI needs."));
        UiSessions.AddServices(services, options.ReviewUi);
        services.AddSingleton<NodeIndex>();
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton<ChangeFeedFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeedFollower>());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IClearinghouseStore>() as IActionStore
            ?? throw new InvalidOperationException("The node's store does not implement IActionStore (rules, webhooks, review)."));
        services.AddSingleton<RuleCache>();
        services.AddSingleton<DeliveryWakeup>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHostedService<ReviewContentSweeper>();
        services.AddHostedService<Clearinghouse.Server.Exchanges.ExchangePoller>();
        services.AddSingleton<MatchService>();
        services.AddSingleton<ReviewService>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<ApiKeyIssuer>();
        services.AddSingleton(new CursorCodec(options.CursorKey));
        services.AddSingleton(ContentHashing.CreateDefault(types, new ImageDecodeOptions { MaxBytes = options.MaxUploadBytes, MaxPixels = options.MaxImagePixels }));
        services.AddSingleton<UrlFetcher>();
        services.AddSingleton<SignalImportParser>();
        services.AddSingleton<Node>();
        services.AddSingleton<Clearinghouse.Server.Reports.ReportService>();
        AddFederation(services, options);
        services.AddSingleton(sp => new CheckpointSigner(
            options.LogSigningKey ?? NodeSigningKey.Generate(NodeOptions.DefaultLogOrigin), sp.GetRequiredService<IClearinghouseStore>()));

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, NodeJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Add(ReviewerJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, Clearinghouse.Server.Federation.FederationJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Add(ActionJsonContext.Default);
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // HMA's error body is {"message": ...}; HMA clients read that member, so HMA routes carry it as well.
            var path = context.HttpContext.Request.Path;
            if (path.StartsWithSegments("/h") || path.StartsWithSegments("/m") || path.StartsWithSegments("/c"))
            {
                context.ProblemDetails.Extensions["message"] = context.ProblemDetails.Detail ?? context.ProblemDetails.Title;
            }
        });
        services.AddExceptionHandler<NodeExceptionHandler>();
        services.AddRateLimiter(o => ConfigureRateLimiting(o, options));
        services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Clearinghouse node",
                    Version = "v1",
                    Description = "Hash, match and curate terrorist and violent-extremist content signals. Own API under /api/v1; "
                        + "HMA-compatible routes under /h, /m and /c (same shapes as HMA's OpenMediaMatch, but an API key is required). "
                        + "Errors are RFC 7807 problem+json.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key chk_<key id>_<secret> as 'Authorization: Bearer <key>' (or 'X-Api-Key: <key>').",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) => BodyDocExtensions.Apply(operation, context));
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequireScope>().FirstOrDefault() is { } scope)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [] });
                    string needs = scope.AnyOf == ApiScopes.None
                        ? "Requires an API key (any scope)."
                        : $"Requires an API key with scope: {RequireScopeExtensions.Describe(scope.AnyOf).Replace(", ", " or ", StringComparison.Ordinal)}.";
                    operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : $"{operation.Description}\n\n{needs}";
                }

                return Task.CompletedTask;
            });
        });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(NodeMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
    }

    private static void AddFederation(IServiceCollection services, NodeOptions options)
    {
        services.AddSingleton(options.Federation);
        services.AddSingleton(sp => sp.GetRequiredService<IClearinghouseStore>() as IFederationStore
            ?? throw new InvalidOperationException("the store does not support federation"));

        // One client for every peer: pooled connections, renewed now and then so DNS changes are seen.
        services.AddKeyedSingleton(Clearinghouse.Server.Federation.FederationWorker.HttpClientKey, (_, _) => new HttpClient(
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = System.Net.DecompressionMethods.All })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        });
        services.AddSingleton(sp => new Clearinghouse.Server.Federation.PeerSynchronizer(
            sp.GetRequiredService<IFederationStore>(),
            sp.GetRequiredService<IClearinghouseStore>(),
            options.Federation,
            sp.GetRequiredKeyedService<HttpClient>(Clearinghouse.Server.Federation.FederationWorker.HttpClientKey)));
        services.AddSingleton(sp => new Clearinghouse.Server.Federation.FederationWorker(
            sp.GetRequiredService<IFederationStore>(),
            sp.GetRequiredService<Clearinghouse.Server.Federation.PeerSynchronizer>(),
            options.Federation,
            sp.GetRequiredKeyedService<HttpClient>(Clearinghouse.Server.Federation.FederationWorker.HttpClientKey),
            TimeProvider.System,
            sp.GetRequiredService<ILogger<Clearinghouse.Server.Federation.FederationWorker>>()));
        services.AddHostedService(sp => sp.GetRequiredService<Clearinghouse.Server.Federation.FederationWorker>());
    }

    private static void ConfigureRateLimiting(RateLimiterOptions limiter, NodeOptions options)
    {
        int perSecond = options.RateLimitPerSecond;
        var period = perSecond >= 10 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1.0 / Math.Max(1, perSecond));
        int perPeriod = perSecond >= 10 ? perSecond / 10 : 1;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(options.RateLimitBurst, perPeriod),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };

        // Public dispute filing: one bucket for the whole node (no per-address state: the node keeps nothing that
        // could identify a filer), so a flood cannot bury the operator's queue.
        limiter.AddTokenBucketLimiter(DisputeEndpoints.PublicFilingPolicy, o =>
        {
            o.TokenLimit = Math.Max(1, options.PublicDisputesPerMinute);
            o.TokensPerPeriod = Math.Max(1, options.PublicDisputesPerMinute);
            o.ReplenishmentPeriod = TimeSpan.FromMinutes(1);
            o.QueueLimit = 0;
            o.AutoReplenishment = true;
        });

        // One bucket per API key; requests without a key (public routes) are not limited here.
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            perSecond > 0 && context.Features.Get<Caller>() is { } caller
                ? RateLimitPartition.GetTokenBucketLimiter(caller.KeyId, _ => bucket)
                : RateLimitPartition.GetNoLimiter(string.Empty));
        limiter.OnRejected = async (rejected, _) =>
        {
            var context = rejected.HttpContext;
            int seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : 1;
            seconds = Math.Max(1, seconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            string detail = context.Features.Get<Caller>() is null
                ? $"Too many disputes are being filed ({options.PublicDisputesPerMinute} a minute for the whole node); retry after {seconds} s."
                : $"This API key has exceeded its rate limit of {perSecond} requests per second (bursts of {bucket.TokenLimit}); retry after {seconds} s.";
            await Problems.WriteAsync(
                context,
                StatusCodes.Status429TooManyRequests,
                Problems.TitleOf(StatusCodes.Status429TooManyRequests),
                detail).ConfigureAwait(false);
        };
    }

    private static void MapRoutes(WebApplication app, NodeOptions options)
    {
        StatusEndpoints.Map(app);
        LogEndpoints.Map(app);
        ReportEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", scalar => scalar
            .WithTitle("Clearinghouse node API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts());
        app.MapPrometheusScrapingEndpoint("/metrics");

        var api = app.MapGroup("/api/v1");
        HashMatchEndpoints.Map(api, options);
        BankEndpoints.Map(api);
        SignalEndpoints.Map(api, options);
        AdminEndpoints.Map(api);
        ExchangeEndpoints.Map(api);
        DesignationEndpoints.Map(api, options);
        DisputeEndpoints.Map(app, api);
        ReviewerEndpoints.Map(api);
        UiEndpoints.Map(app);
        Clearinghouse.Server.Federation.FederationEndpoints.Map(api);
        ActionEndpoints.Map(api);
        ReviewEndpoints.Map(api);

        HmaMatchingEndpoints.Map(app, options);
        HmaCurationEndpoints.Map(app, options);
    }
}
