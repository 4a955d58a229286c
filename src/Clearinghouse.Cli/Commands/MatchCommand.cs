using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.FileHashing;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server.Hashing;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Matching;
using Clearinghouse.Signals;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse match PATH|VALUE… --server URL [--key KEY] [--type …] [--json]</c>: hashes files locally (the
/// content never leaves the machine) and asks a node which banks hold those signals. Exit 0: nothing matched,
/// 10: something matched, 1: some inputs could not be hashed.
/// </summary>
internal static class MatchCommand
{
    /// <summary>Values per request: the node's limit for POST /api/v1/match.</summary>
    private const int RequestBatch = 1000;

    public static Command Create()
    {
        var inputs = HashCommand.PathsArgument("Files or directories to hash and match, or values of --type (a value is any argument that is not an existing path)");
        var server = new Option<string?>("--server", "-s") { Description = $"The node's address (default ${NodeClient.ServerVariable}, else {ServeCommand.DefaultUrl})" };
        var key = new Option<string?>("--key", "-k") { Description = $"A member API key with the match scope (default ${NodeClient.KeyVariable}; prefer the variable: arguments are visible to other users)" };
        var types = new Option<string?>("--type", "-t") { Description = $"For files: the signal types to compute (pdq, md5, sha256, vpdq for videos, text_tlsh; default {HashSelection.DefaultList}); for values: their one signal type (required; any type the node knows, e.g. pdq, url, payment)" };
        var banks = new Option<string?>("--banks") { Description = "Match only against these banks (comma-separated names)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per input: {input, results: [{signal_type, value, matches: [{bank, category, designation, distance, status, ...}], suppressed, ...}], matched} or {input, error}" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the node's answer", DefaultValueFactory = _ => 60 };
        var threads = HashCommand.ThreadsOption(Environment.ProcessorCount, "Files hashed in parallel (default: all cores)");
        var limits = new DecodeLimitOptions();
        var command = new Command(
            "match",
            "Hash files locally and match their signals (or given values) against a node's banks. Exit 0: no match; 10: at least one input matched; 1: some inputs failed to hash; 4: node unreachable; 5: key refused or request refused")
        {
            inputs, server, key, types, banks, json, timeout, threads,
        };
        limits.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var address = ServerAddress(parse.GetValue(server));
            string apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable(NodeClient.KeyVariable)
                ?? throw new UsageException($"no API key: give --key or set {NodeClient.KeyVariable} (the key 'serve' printed on its first start, or one from 'member add')");
            var queries = Prepare(parse.GetValue(inputs)!, parse.GetValue(types), new FileHasher(SelectionFor(parse.GetValue(types)), limits.Read(parse), dihedral: false), parse.GetValue(threads));
            List<string>? bankNames = parse.GetValue(banks) is { } list
                ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : null;

            using var client = new NodeClient(address, apiKey.Trim(), TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))));
            await MatchAllAsync(client, queries, bankNames, cancellationToken).ConfigureAwait(false);
            return Report(queries, parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>One input: its signals to match (or why it has none), then the node's results.</summary>
    private sealed class Query(string input)
    {
        public string Input { get; } = input;

        public string? Error { get; set; }

        public List<(string Type, string Value, string? NotMatched)> Signals { get; } = [];

        public MatchResult?[] Results { get; set; } = [];
    }

    private static Uri ServerAddress(string? given)
    {
        string text = given ?? Environment.GetEnvironmentVariable(NodeClient.ServerVariable) ?? ServeCommand.DefaultUrl;
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--server: '{text}' is not an http:// or https:// address (e.g. {ServeCommand.DefaultUrl})");
        }

        return uri;
    }

    private static HashSelection SelectionFor(string? types)
    {
        if (types is null)
        {
            return HashSelection.Parse(HashSelection.DefaultList);
        }

        // Types files cannot give (e.g. url) are fine for values; files then get the default selection.
        var names = types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var hashable = names.Where(n => n.ToLowerInvariant() is "pdq" or "md5" or "sha256" or "vpdq" or "text_tlsh").ToList();
        return hashable.Count == 0 ? HashSelection.Parse(HashSelection.DefaultList) : HashSelection.Parse(string.Join(',', hashable));
    }

    /// <summary>Turns arguments into queries: existing paths are walked and hashed, other arguments are values of --type.</summary>
    private static List<Query> Prepare(string[] arguments, string? types, FileHasher hasher, int threads)
    {
        var registry = SignalTypeRegistry.CreateDefault();
        var queries = new List<Query>();
        var files = new List<(Query Query, InputItem Item)>();
        foreach (var argument in arguments)
        {
            if (File.Exists(argument) || Directory.Exists(argument))
            {
                foreach (var item in InputWalker.Walk([argument]))
                {
                    var query = new Query(item.Path);
                    queries.Add(query);
                    files.Add((query, item));
                }

                continue;
            }

            queries.Add(ValueQuery(registry, argument, types));
        }

        var hashed = files
            .AsParallel()
            .AsOrdered()
            .WithDegreeOfParallelism(threads)
            .Select(f => (f.Query, Result: f.Item.IsFile ? hasher.Hash(f.Item.Path) : FileHashResult.Failed(f.Item.Path, f.Item.Error!)));
        foreach (var (query, result) in hashed)
        {
            if (result.Error is not null)
            {
                query.Error = result.Error;
                continue;
            }

            if (result.Pdq is { } pdq)
            {
                string value = pdq.Hash.ToString();
                query.Signals.Add(("pdq", value, MatchService.WhyNotMatched(new ContentHash("pdq", value, pdq.Quality))));
            }

            if (result.Vpdq is { } vpdq)
            {
                query.Signals.Add(("vpdq", vpdq.Value, vpdq.UsableFrames == 0 ? "no frame of the video has quality 50 or more, so vPDQ cannot match it" : null));
            }

            if (result.Md5 is not null)
            {
                query.Signals.Add(("md5", result.Md5, null));
            }

            if (result.Sha256 is not null)
            {
                query.Signals.Add(("sha256", result.Sha256, null));
            }

            if (result.TextTlsh is not null)
            {
                query.Signals.Add(("text_tlsh", result.TextTlsh, null));
            }
        }

        return queries;
    }

    private static Query ValueQuery(SignalTypeRegistry registry, string argument, string? types)
    {
        var names = (types ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length != 1)
        {
            throw new UsageException(names.Length == 0
                ? $"'{Shorten(argument)}' is not an existing file or directory; to match it as a value, give its signal type with --type (e.g. --type pdq)"
                : $"'{Shorten(argument)}' is not an existing file or directory; to match it as a value, give exactly one --type (got '{types}')");
        }

        if (!registry.TryGet(names[0], out var type))
        {
            throw new UsageException($"--type: unknown signal type '{names[0]}' (known: {string.Join(", ", registry.All.Select(t => t.Name).Order(StringComparer.Ordinal))})");
        }

        var query = new Query(argument);
        if (type.TryCanonicalize(argument, out var canonical, out var reason))
        {
            query.Signals.Add((type.Name, canonical, null));
        }
        else
        {
            query.Error = $"not a valid {type.Name} value: {reason}";
        }

        return query;
    }

    /// <summary>Sends every matchable signal, <see cref="RequestBatch"/> per request, and stores the answers by input.</summary>
    private static async Task MatchAllAsync(NodeClient client, List<Query> queries, List<string>? banks, CancellationToken cancellationToken)
    {
        var pending = new List<(Query Query, int Index)>();
        foreach (var query in queries)
        {
            query.Results = new MatchResult?[query.Signals.Count];
            for (int i = 0; i < query.Signals.Count; i++)
            {
                var (type, value, notMatched) = query.Signals[i];
                if (notMatched is not null)
                {
                    query.Results[i] = new MatchResult(type, value, [], false, 0, [], notMatched);
                }
                else
                {
                    pending.Add((query, i));
                }
            }
        }

        for (int start = 0; start < pending.Count; start += RequestBatch)
        {
            var chunk = pending.GetRange(start, Math.Min(RequestBatch, pending.Count - start));
            var request = new MatchRequest
            {
                Signals = [.. chunk.Select(p => new SignalValue { SignalType = p.Query.Signals[p.Index].Type, Value = p.Query.Signals[p.Index].Value })],
                Banks = banks,
            };
            var response = await client.MatchAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.Results.Count != chunk.Count)
            {
                throw new CommandFailedException(ExitCodes.Unavailable, $"the node answered {response.Results.Count} results for {chunk.Count} values");
            }

            for (int i = 0; i < chunk.Count; i++)
            {
                chunk[i].Query.Results[chunk[i].Index] = response.Results[i];
            }
        }
    }

    private static int Report(List<Query> queries, bool json, TextWriter output, TextWriter error)
    {
        int failed = 0;
        bool anyMatch = false;
        foreach (var query in queries)
        {
            var results = query.Results.OfType<MatchResult>().ToList();
            bool matched = results.Any(r => r.Matches.Count > 0);
            anyMatch |= matched;
            failed += query.Error is null ? 0 : 1;
            if (json)
            {
                JsonLines.Write(output, new MatchOutput(query.Input, query.Error, results, matched));
                continue;
            }

            if (query.Error is not null)
            {
                error.WriteLine($"clearinghouse: {query.Input}: {query.Error}");
                continue;
            }

            output.WriteLine($"{query.Input}: {(matched ? "MATCH" : "no match")}");
            foreach (var result in results)
            {
                foreach (var m in result.Matches)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {result.SignalType,-7} distance {m.Distance,-3} bank {m.Bank} ({m.Category}{(m.Designation is null ? "" : ", " + m.Designation)})  signal {m.SignalId} {m.PublicId}  {m.Status}"));
                }

                if (result.Suppressed)
                {
                    output.WriteLine($"  {result.SignalType,-7} {result.SuppressedCount} matches suppressed by negative bank(s): {string.Join(", ", result.NegativeMatches.Select(n => n.Bank).Distinct())}");
                }

                if (result.NotMatched is not null)
                {
                    output.WriteLine($"  {result.SignalType,-7} not matched: {result.NotMatched}");
                }
            }
        }

        output.Flush();
        if (failed > 0)
        {
            error.WriteLine($"clearinghouse: {failed} of {queries.Count} inputs failed");
            return ExitCodes.SomeInputsFailed;
        }

        return anyMatch ? ExitCodes.Matched : ExitCodes.Success;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
