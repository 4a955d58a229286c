using System.CommandLine;
using Clearinghouse.Server;
using Clearinghouse.Storage;
using Microsoft.Extensions.Hosting;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse serve [--data DIR] [--db postgres://…] [--urls URL] [--demo]</c>: runs a node. The first start
/// creates the data directory, applies migrations and the taxonomy, creates the operator member and prints its admin
/// API key once.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultDataDirectory = "clearinghouse-data";
    public const string DefaultUrl = "http://127.0.0.1:5100";

    public static Command Create()
    {
        var data = new Option<string>("--data")
        {
            Description = $"Data directory: the SQLite database (unless --db is given) and the node's cursor key (default ./{DefaultDataDirectory})",
            DefaultValueFactory = _ => DefaultDataDirectory,
        };
        var db = new Option<string?>("--db") { Description = "A PostgreSQL store instead of SQLite: postgres://user:password@host:port/database (or CLEARINGHOUSE_DB)" };
        var urls = new Option<string[]>("--urls")
        {
            Description = $"Addresses to listen on (default {DefaultUrl}: loopback only; exposing a node is a deliberate choice)",
            DefaultValueFactory = _ => [DefaultUrl],
            AllowMultipleArgumentsPerToken = true,
        };
        var demo = new Option<bool>("--demo") { Description = $"Also create a bank '{NodeSetup.DemoBank}' holding the PDQ hashes of the reference images, to try matching at once" };
        var demoData = new Option<string>("--demo-data")
        {
            Description = "Where the reference data is (default ../shared/testdata)",
            DefaultValueFactory = _ => Path.Combine("..", "shared", "testdata"),
        };
        var rateLimit = new Option<int>("--rate-limit") { Description = "Requests per second each API key may make (0: no limit)", DefaultValueFactory = _ => 5_000 };
        var rateBurst = new Option<int>("--rate-burst") { Description = "Requests a key may make in a burst", DefaultValueFactory = _ => 10_000 };
        var allowHosts = new Option<string[]>("--allow-url-host")
        {
            Description = "A host URL-based hashing may fetch from (repeatable; none by default: the node then fetches no URL)",
            AllowMultipleArgumentsPerToken = true,
        };
        var hmaCategory = new Option<string?>("--hma-default-category") { Description = "Category of banks created through HMA's POST /c/banks without one (HMA banks have none)" };
        var maxUpload = new Option<long>("--max-upload")
        {
            Description = "Largest upload to hash or match (suffixes k, M, G)",
            DefaultValueFactory = _ => 64L << 20,
            CustomParser = r => DecodeLimitOptions.ParseSize(r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value, r),
        };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "Log JSON lines instead of text" };
        var noMatchRecords = new Option<bool>("--no-match-records") { Description = "Do not keep match records (which member matched which signal, when)" };

        var command = new Command("serve", "Run a Clearinghouse node: the REST API (own /api/v1 and HMA-compatible routes), matching, docs at /docs")
        {
            data, db, urls, demo, demoData, rateLimit, rateBurst, allowHosts, hmaCategory, maxUpload, jsonLogs, noMatchRecords,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            string dataDirectory = Path.GetFullPath(parse.GetValue(data)!);
            string? connection = parse.GetValue(db) ?? Environment.GetEnvironmentVariable("CLEARINGHOUSE_DB");
            if (parse.GetValue(rateLimit) < 0 || parse.GetValue(rateBurst) < 1)
            {
                throw new UsageException("--rate-limit must be 0 or more and --rate-burst at least 1");
            }

            IClearinghouseStore store;
            NodeSetupResult setup;
            try
            {
                store = StoreFactory.Open(string.IsNullOrWhiteSpace(connection) ? dataDirectory : connection);
                setup = await NodeSetup.PrepareAsync(store, cancellationToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or StoreException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                error.WriteLine($"clearinghouse: cannot open the store: {ex.Message}");
                return ExitCodes.BadInput;
            }

            await using (store)
            {
                if (setup.NewOperatorKey is { } key)
                {
                    output.WriteLine("Created the operator member. Its admin API key is shown only now; keep it safe:");
                    output.WriteLine();
                    output.WriteLine($"  {key.Key}");
                    output.WriteLine();
                }

                if (parse.GetValue(demo))
                {
                    try
                    {
                        int added = await NodeSetup.SeedDemoAsync(store, setup.Operator.Id, Path.GetFullPath(parse.GetValue(demoData)!), cancellationToken);
                        output.WriteLine(added > 0 ? $"Demo bank '{NodeSetup.DemoBank}' created with {added} PDQ signals." : $"Demo bank '{NodeSetup.DemoBank}' already exists.");
                    }
                    catch (FileNotFoundException ex)
                    {
                        error.WriteLine($"clearinghouse: {ex.Message} (give its place with --demo-data)");
                        return ExitCodes.BadInput;
                    }
                }

                var options = new NodeOptions
                {
                    Store = store,
                    Urls = parse.GetValue(urls)!,
                    CursorKey = NodeSetup.LoadOrCreateCursorKey(dataDirectory),
                    RateLimitPerSecond = parse.GetValue(rateLimit),
                    RateLimitBurst = parse.GetValue(rateBurst),
                    UrlFetchAllowedHosts = parse.GetValue(allowHosts) ?? [],
                    HmaDefaultCategory = parse.GetValue(hmaCategory),
                    MaxUploadBytes = parse.GetValue(maxUpload),
                    JsonLogs = parse.GetValue(jsonLogs),
                    RecordMatches = !parse.GetValue(noMatchRecords),
                };
                var app = NodeApplication.Build(options);
                await using (app)
                {
                    try
                    {
                        await app.StartAsync(cancellationToken);
                    }
                    catch (IOException ex)
                    {
                        error.WriteLine($"clearinghouse: cannot listen on {string.Join(", ", options.Urls)}: {ex.Message}");
                        return ExitCodes.BadInput;
                    }

                    output.WriteLine($"Clearinghouse node listening on {string.Join(", ", NodeApplication.BoundUrls(app))} (API docs: /docs; health: /status). Ctrl+C stops it.");
                    output.Flush();
                    await app.WaitForShutdownAsync(cancellationToken);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
