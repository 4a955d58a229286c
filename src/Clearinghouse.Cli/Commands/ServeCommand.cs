using System.CommandLine;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server;
using Clearinghouse.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clearinghouse.Cli.Commands;

/// <summary>What <c>clearinghouse serve</c> was asked to do.</summary>
internal sealed record ServeSettings(StoreLocation Store, IReadOnlyList<string> Urls, bool Demo, string DemoImages, bool JsonLogs, ServeTuning? Tuning = null, LogKeySettings? LogKey = null);

/// <summary>The node's limits and policies that <c>serve</c> exposes as options (defaults: <see cref="NodeOptions"/>'s).</summary>
internal sealed record ServeTuning(
    int RateLimitPerSecond,
    int RateLimitBurst,
    IReadOnlyList<string> UrlFetchAllowedHosts,
    string? HmaDefaultCategory,
    long MaxUploadBytes,
    bool RecordMatches,
    TimeSpan? ReviewRetention = null,
    int? WebhookMaxAttempts = null)
{
    public static NodeOptions Defaults { get; } = new() { Store = null! };

    public static ServeTuning Default { get; } = new(
        Defaults.RateLimitPerSecond, Defaults.RateLimitBurst, Defaults.UrlFetchAllowedHosts, Defaults.HmaDefaultCategory, Defaults.MaxUploadBytes, Defaults.RecordMatches);
}

/// <summary>
/// <c>clearinghouse serve [--data DIR] [--db URL] [--urls URLS] [--demo] [--json-logs]</c>: runs the node until
/// SIGINT or SIGTERM. The first start creates the data directory, the schema and the operator's key (printed once).
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:5100";

    public static Command Create()
    {
        var store = new StoreOptions();
        var urls = new Option<string>("--urls")
        {
            Description = $"Addresses to listen on, separated by ';' (default {DefaultUrl}: loopback only; exposing a node is a deliberate act, best behind a TLS proxy)",
            DefaultValueFactory = _ => DefaultUrl,
        };
        var demo = new Option<bool>("--demo")
        {
            Description = $"Also seed (once) the bank '{DemoSeeder.BankName}' ({DemoSeeder.Category}, shared with all members) with the PDQ hashes of the sample images, to try a match straight away",
        };
        var demoData = new Option<string>("--demo-data")
        {
            Description = $"The sample images --demo hashes (default {DemoSeeder.DefaultImages}, relative to the working directory)",
            DefaultValueFactory = _ => DemoSeeder.DefaultImages,
        };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "Log one JSON object per event (for log collectors) instead of text" };
        var defaults = ServeTuning.Default;
        var rateLimit = new Option<int>("--rate-limit") { Description = "Requests per second each API key may make (0: no limit)", DefaultValueFactory = _ => defaults.RateLimitPerSecond };
        var rateBurst = new Option<int>("--rate-burst") { Description = "Requests a key may make in a burst above that rate", DefaultValueFactory = _ => defaults.RateLimitBurst };
        var allowHosts = new Option<string[]>("--allow-url-host")
        {
            Description = "A host URL-based hashing may fetch from (repeatable; none by default: the node then fetches no URL on a member's behalf)",
            AllowMultipleArgumentsPerToken = false,
        };
        var hmaCategory = new Option<string?>("--hma-default-category") { Description = "Category of banks created through HMA's POST /c/banks without one (HMA banks have none; default: such a request must name one)" };
        var maxUpload = new Option<long>("--max-upload")
        {
            Description = "Largest upload to hash or match (suffixes k, M, G; default 64M)",
            DefaultValueFactory = _ => defaults.MaxUploadBytes,
            CustomParser = r => DecodeLimitOptions.ParseSize(r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value, r),
        };
        var noMatchRecords = new Option<bool>("--no-match-records") { Description = "Keep no match records (which member's lookup hit which signal, when; never the content)" };
        var reviewRetention = new Option<TimeSpan>("--review-retention")
        {
            Description = "Longest time a copy of content uploaded for review (review_copy=true) is kept; deleted earlier at the decision (suffixes s, m, h, d; default 7d)",
            DefaultValueFactory = _ => ServeTuning.Defaults.ReviewRetention,
            CustomParser = r => ParseDuration(r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value, r),
        };
        var webhookAttempts = new Option<int>("--webhook-max-attempts")
        {
            Description = "Attempts before a webhook delivery is dead-lettered (default 8; see docs/actions.md for the backoff)",
            DefaultValueFactory = _ => ServeTuning.Defaults.Webhooks.MaxAttempts,
        };
        var logKey = new LogKeyOptions();
        var command = new Command(
            "serve",
            "Run the node: the REST API (own /api/v1 and HMA-compatible routes, docs at /docs) over the store. The first start prints the operator's API key, once. Stops cleanly on Ctrl+C or SIGTERM.")
        {
            urls, demo, demoData, jsonLogs, rateLimit, rateBurst, allowHosts, hmaCategory, maxUpload, noMatchRecords, reviewRetention, webhookAttempts,
        };
        store.AddTo(command);
        logKey.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var list = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (list.Length == 0)
            {
                throw new UsageException("--urls needs at least one address, e.g. http://127.0.0.1:5100");
            }

            foreach (var url in list)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new UsageException($"--urls: '{url}' is not an http:// or https:// address (e.g. http://127.0.0.1:5100)");
                }
            }

            if (parse.GetValue(rateLimit) < 0 || parse.GetValue(rateBurst) < 1)
            {
                throw new UsageException("--rate-limit must be 0 (no limit) or more, and --rate-burst at least 1");
            }

            if (parse.GetValue(webhookAttempts) < 1)
            {
                throw new UsageException("--webhook-max-attempts must be at least 1");
            }

            var tuning = new ServeTuning(
                parse.GetValue(rateLimit), parse.GetValue(rateBurst), parse.GetValue(allowHosts) ?? [], parse.GetValue(hmaCategory), parse.GetValue(maxUpload), !parse.GetValue(noMatchRecords),
                parse.GetValue(reviewRetention), parse.GetValue(webhookAttempts));
            var settings = new ServeSettings(store.Read(parse), list, parse.GetValue(demo), parse.GetValue(demoData)!, parse.GetValue(jsonLogs), tuning, logKey.Read(parse));
            return RunAsync(settings, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, started: null, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Prepares the store, starts the node and serves until <paramref name="cancellationToken"/> fires or the host is
    /// told to stop (SIGINT/SIGTERM). <paramref name="started"/> receives the bound addresses (tests use port 0).
    /// </summary>
    public static async Task<int> RunAsync(ServeSettings settings, TextWriter output, TextWriter error, Action<IReadOnlyList<string>>? started, CancellationToken cancellationToken)
    {
        var tuning = settings.Tuning ?? ServeTuning.Default;
        var store = await NodeStore.OpenAsync(settings.Store, cancellationToken).ConfigureAwait(false);
        WebApplication app;
        IssuedApiKey? adminKey;
        DemoSeed? demo = null;
        Clearinghouse.Ledger.Keys.NodeSigningKey? signingKey = null;
        string? createdKeyPath = null;
        try
        {
            signingKey = LogKeyFile.LoadOrCreate(settings.LogKey ?? LogKeySettings.Default, settings.Store.DataDirectory, out bool createdKey);
            if (createdKey)
            {
                createdKeyPath = LogKeyFile.PathOf(settings.LogKey ?? LogKeySettings.Default, settings.Store.DataDirectory);
            }

            adminKey = await AdminBootstrap.EnsureAsync(store, cancellationToken).ConfigureAwait(false);
            if (settings.Demo)
            {
                demo = await DemoSeeder.SeedAsync(store, settings.DemoImages, cancellationToken).ConfigureAwait(false);
            }

            app = NodeApplication.Build(new NodeOptions
            {
                Store = store,
                OwnsStore = true,
                Urls = settings.Urls,
                CursorKey = CursorKeyFile.LoadOrCreate(settings.Store.DataDirectory),
                JsonLogs = settings.JsonLogs,
                RateLimitPerSecond = tuning.RateLimitPerSecond,
                RateLimitBurst = tuning.RateLimitBurst,
                UrlFetchAllowedHosts = tuning.UrlFetchAllowedHosts,
                HmaDefaultCategory = tuning.HmaDefaultCategory,
                MaxUploadBytes = tuning.MaxUploadBytes,
                RecordMatches = tuning.RecordMatches,
                ReviewRetention = tuning.ReviewRetention ?? ServeTuning.Defaults.ReviewRetention,
                Webhooks = ServeTuning.Defaults.Webhooks with { MaxAttempts = tuning.WebhookMaxAttempts ?? ServeTuning.Defaults.Webhooks.MaxAttempts },
                LogSigningKey = signingKey,

                // The review UI's cookie keys live beside the cursor key, so reviewers stay signed in across restarts.
                ReviewUi = new Clearinghouse.Server.Ui.ReviewUiOptions { KeysDirectory = Path.Combine(settings.Store.DataDirectory, "ui-keys") },
            });
        }
        catch
        {
            signingKey?.Dispose();
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                // Kestrel reports an address in use (or not assignable) as an IOException.
                throw new CommandFailedException(ExitCodes.Unavailable, $"cannot listen on {string.Join(", ", settings.Urls)}: {ex.Message}");
            }

            var bound = NodeApplication.BoundUrls(app);
            WriteBanner(output, settings, bound, adminKey, demo);
            if (createdKeyPath is not null)
            {
                output.WriteLine($"Created the transparency log's signing key {createdKeyPath} (verifier key {signingKey!.VerifierKey}); back it up: auditors refuse checkpoints signed by another key.");
                output.Flush();
            }

            started?.Invoke(bound);

            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => stop.TrySetResult()))
            using (lifetime.ApplicationStopping.Register(() => stop.TrySetResult()))
            {
                await stop.Task.ConfigureAwait(false);
            }

            error.WriteLine("clearinghouse: stopping");
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static void WriteBanner(TextWriter output, ServeSettings settings, IReadOnlyList<string> bound, IssuedApiKey? adminKey, DemoSeed? demo)
    {
        string url = bound.Count > 0 ? bound[0] : settings.Urls[0];
        output.WriteLine($"Clearinghouse node listening on {string.Join(", ", bound)}");
        output.WriteLine($"  store:    {settings.Store.Describe()}");
        output.WriteLine($"  API docs: {url}/docs (OpenAPI: {url}{NodeApplication.OpenApiPath}); health: {url}/status");
        output.WriteLine($"  log:      {url}/log/checkpoint (verify with: clearinghouse verify --node {url})");
        if (demo is not null)
        {
            output.WriteLine($"  demo:     bank '{demo.Bank}' holds {demo.Signals} PDQ signals from {demo.Images} sample images ({demo.Added} added now)");
        }

        if (adminKey is not null)
        {
            output.WriteLine();
            output.WriteLine($"First start: created member '{AdminBootstrap.AdminMemberName}' with an API key holding every scope.");
            output.WriteLine("It is shown only this once (only its salted hash is stored); keep it somewhere safe:");
            output.WriteLine();
            output.WriteLine($"  {adminKey.Key}");
            output.WriteLine();
            output.WriteLine("Use it as a bearer token, for example:");
            output.WriteLine($"  export CLEARINGHOUSE_API_KEY={adminKey.Key}");
            output.WriteLine($"  curl -H \"Authorization: Bearer $CLEARINGHOUSE_API_KEY\" {url}/api/v1/banks");
            if (demo is not null)
            {
                output.WriteLine($"  clearinghouse match {Path.Combine(settings.DemoImages, "bridge-mods", "aaa-orig.jpg")} --server {url}");
            }

            output.WriteLine($"Give members their own keys with: clearinghouse member add NAME (key ids: clearinghouse member list)");
        }

        output.Flush();
    }

    /// <summary>A duration: a positive number with s, m, h or d (e.g. 90s, 12h, 7d).</summary>
    private static TimeSpan ParseDuration(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        string trimmed = text.Trim();
        if (trimmed.Length >= 2
            && double.TryParse(trimmed[..^1], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double value)
            && value > 0)
        {
            switch (char.ToLowerInvariant(trimmed[^1]))
            {
                case 's': return TimeSpan.FromSeconds(value);
                case 'm': return TimeSpan.FromMinutes(value);
                case 'h': return TimeSpan.FromHours(value);
                case 'd': return TimeSpan.FromDays(value);
            }
        }

        result.AddError($"'{text}' is not a duration: use a positive number with s, m, h or d (e.g. 12h, 7d)");
        return TimeSpan.Zero;
    }
}
