using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Server;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Federation;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Cli.Bench;

internal sealed record FederationBenchOptions(int Signals, int LagSamples, string? Directory);

/// <summary>What <c>clearinghouse bench federation --json</c> prints.</summary>
internal sealed record FederationBenchResult(
    int Signals,
    long OriginLogEntries,
    double OriginLoadSeconds,
    double SyncSeconds,
    double SignalsPerSecond,
    long Imported,
    double PollIntervalSeconds,
    int LagSamples,
    double LagMedianMs,
    double LagMaxMs);

/// <summary>
/// Two real nodes on loopback, each with its own SQLite store and key: node A is loaded with N random PDQ signals
/// (not timed); node B adds A as a peer and one verified sync pass over HTTP is timed end to end (checkpoint, entries,
/// Merkle root, feed, commitments, import with provenance and the local log). Then B's worker polls A every second and
/// the lag from a signal added on A (acknowledged) to it matching on B is sampled.
/// </summary>
internal static class FederationBenchmark
{
    public static async Task<int> RunAsync(FederationBenchOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string root = options.Directory ?? Path.Combine(Path.GetTempPath(), "ch-bench-fed-" + Guid.NewGuid().ToString("N"));
        try
        {
            var federation = new FederationOptions { PollInterval = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(120) };
            await using var a = await StartAsync(Path.Combine(root, "a"), "bench-a.example/log", federation, cancellationToken).ConfigureAwait(false);
            await using var b = await StartAsync(Path.Combine(root, "b"), "bench-b.example/log", federation, cancellationToken).ConfigureAwait(false);
            var storeA = a.Store;
            var storeB = b.Store;

            Member contributor = await storeA.CreateMemberAsync("Bench Platform", cancellationToken).ConfigureAwait(false);
            Bank shared = await storeA.CreateBankAsync(new NewBank("shared", "attack-footage", contributor.Id, SharingScope.AllMembers, null), cancellationToken).ConfigureAwait(false);
            var load = Stopwatch.StartNew();
            const int Batch = 50_000;
            for (int done = 0; done < options.Signals; done += Batch)
            {
                int count = Math.Min(Batch, options.Signals - done);
                var batch = new NewSignal[count];
                for (int i = 0; i < count; i++)
                {
                    batch[i] = new NewSignal("pdq", RandomPdq());
                }

                await storeA.AddSignalsAsync(shared.Id, contributor.Id, batch, cancellationToken).ConfigureAwait(false);
            }

            double loadSeconds = load.Elapsed.TotalSeconds;
            error.WriteLine($"node A loaded with {options.Signals} signals in {loadSeconds:F1} s");

            Member reader = await storeA.CreateMemberAsync("node B", cancellationToken).ConfigureAwait(false);
            string key = (await new ApiKeyIssuer(storeA).IssueAsync(reader.Id, ApiScopes.Match | ApiScopes.Review, "bench", cancellationToken).ConfigureAwait(false)).Key;
            Member admin = await storeB.CreateMemberAsync("admin", cancellationToken).ConfigureAwait(false);
            string adminKey = (await new ApiKeyIssuer(storeB).IssueAsync(admin.Id, ApiScopes.All, "bench", cancellationToken).ConfigureAwait(false)).Key;
            Bank into = await storeB.CreateBankAsync(new NewBank("from-a", "attack-footage", admin.Id, SharingScope.AllMembers, null), cancellationToken).ConfigureAwait(false);
            using var http = new HttpClient { BaseAddress = b.Url, Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
            string verifierKey = (await new HttpClient().GetStringAsync(new Uri(a.Url, "/log/verifier-key"), cancellationToken).ConfigureAwait(false)).Trim();
            SqliteStore federationB = storeB;
            Peer peer = await federationB.CreatePeerAsync(
                new NewPeer("a", a.Url.ToString(), verifierKey, key, [], [], into.Id, SendOpinions: true, Enabled: false), cancellationToken).ConfigureAwait(false);

            var sync = Stopwatch.StartNew();
            using (var response = await http.PostAsync(new Uri("/api/v1/peers/a/sync", UriKind.Relative), null, cancellationToken).ConfigureAwait(false))
            {
                response.EnsureSuccessStatusCode();
            }

            double syncSeconds = sync.Elapsed.TotalSeconds;
            peer = (await federationB.GetPeerAsync(peer.Id, cancellationToken).ConfigureAwait(false))!;
            if (peer.State.Imported != options.Signals || peer.State.LastError is not null)
            {
                error.WriteLine($"sync incomplete: imported {peer.State.Imported} of {options.Signals}; {peer.State.LastError}");
                return ExitCodes.InternalError;
            }

            error.WriteLine($"synced {peer.State.Imported} signals ({peer.State.Cursor} entries) in {syncSeconds:F1} s");

            // Steady state: the worker polls every second; time add on A → match on B.
            await federationB.SetPeerEnabledAsync("a", true, cancellationToken).ConfigureAwait(false);
            b.Worker.PeersChanged();
            using var member = new HttpClient { BaseAddress = b.Url };
            member.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
            var lags = new List<double>();
            for (int i = 0; i < options.LagSamples; i++)
            {
                string value = RandomPdq();
                var clock = Stopwatch.StartNew();
                await storeA.AddSignalsAsync(shared.Id, contributor.Id, [new NewSignal("pdq", value)], cancellationToken).ConfigureAwait(false);
                while (!await MatchesAsync(member, value, cancellationToken).ConfigureAwait(false))
                {
                    if (clock.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        error.WriteLine("a signal added on A did not match on B within 60 s");
                        return ExitCodes.InternalError;
                    }

                    await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                }

                lags.Add(clock.Elapsed.TotalMilliseconds);
#pragma warning disable CA5394 // Spreads the samples over the poll phase; not security-relevant.
                await Task.Delay(Random.Shared.Next(100, 1100), cancellationToken).ConfigureAwait(false);
#pragma warning restore CA5394
            }

            lags.Sort();
            var result = new FederationBenchResult(
                options.Signals, (await storeA.GetLogHeadAsync(cancellationToken).ConfigureAwait(false)).Size, Math.Round(loadSeconds, 2), Math.Round(syncSeconds, 2),
                Math.Round(options.Signals / syncSeconds), peer.State.Imported, 1.0, lags.Count,
                Math.Round(lags.Count == 0 ? 0 : lags[lags.Count / 2], 1), Math.Round(lags.Count == 0 ? 0 : lags[^1], 1));
            output.WriteLine(JsonSerializer.Serialize(result, Json.CliJsonContext.Default.FederationBenchResult));
            return ExitCodes.Success;
        }
        finally
        {
            if (options.Directory is null)
            {
                try
                {
                    System.IO.Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static async Task<bool> MatchesAsync(HttpClient client, string value, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri($"/api/v1/match?signal_type=pdq&value={value}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return json.RootElement.GetProperty("matches").GetArrayLength() > 0;
    }

    private static string RandomPdq() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static async Task<BenchNode> StartAsync(string directory, string origin, FederationOptions federation, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(directory);
        var store = new SqliteStore(directory);
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault(), cancellationToken).ConfigureAwait(false);
        var app = NodeApplication.Build(
            new NodeOptions
            {
                Store = store,
                OwnsStore = true,
                Urls = ["http://127.0.0.1:0"],
                LogSigningKey = NodeSigningKey.Generate(origin),
                Federation = federation,
                RateLimitPerSecond = 0,
                LogLevel = LogLevel.Warning,
            },
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new BenchNode(app, store, new Uri(NodeApplication.BoundUrls(app)[0]));
    }

    private sealed class BenchNode(WebApplication app, SqliteStore store, Uri url) : IAsyncDisposable
    {
        public SqliteStore Store { get; } = store;

        public Uri Url { get; } = url;

        public FederationWorker Worker => (FederationWorker)app.Services.GetService(typeof(FederationWorker))!;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
