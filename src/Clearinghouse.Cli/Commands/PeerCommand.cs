using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Ledger.Notes;
using Clearinghouse.Server.Federation;
using Clearinghouse.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse peer add|list|show|remove|sync</c>: the operator's federation commands, directly on the store (run
/// on the node's machine; a running node's worker picks a new or re-enabled peer up within seconds). <c>sync</c> runs
/// one verified pass from this process.
/// </summary>
internal static class PeerCommand
{
    private static readonly JsonSerializerOptions JsonOutput = new(FederationJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = FederationJsonContext.Default,
    };

    public static Command Create()
    {
        var peer = new Command("peer", "Federation: the peer nodes this node pulls verified signals from (see docs/federation.md)");
        peer.Subcommands.Add(CreateAdd());
        peer.Subcommands.Add(CreateList());
        peer.Subcommands.Add(CreateShow());
        peer.Subcommands.Add(CreateRemove());
        peer.Subcommands.Add(CreateSync());
        return peer;
    }

    private static Option<bool> JsonOption(string what) => new("--json") { Description = what };

    private static Command CreateAdd()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "A name for the peer (unique here; its signals are contributed by member peer:NAME)" };
        var url = new Option<string>("--url") { Description = "The peer node's base URL, e.g. http://node-a.example:5100", Required = true };
        var verifierKey = new Option<string>("--verifier-key") { Description = "The peer's checkpoint verifier key (its GET /log/verifier-key), obtained from its operator", Required = true };
        var apiKey = new Option<string>("--api-key") { Description = "The API key the peer issued to this node (scopes match and review)", Required = true };
        var into = new Option<string>("--into") { Description = "The local bank imported signals go into (its category is taken unless --categories)", Required = true };
        var banks = new Option<string?>("--banks") { Description = "Comma-separated bank names of the peer to take (default: every bank the key sees)" };
        var categories = new Option<string?>("--categories") { Description = "Comma-separated categories to take (default: the local bank's category)" };
        var noOpinions = new Option<bool>("--no-opinions") { Description = "Do not send local negative opinions and upheld disputes on its signals back to the peer" };
        var disabled = new Option<bool>("--disabled") { Description = "Add it disabled (no background sync until enabled with 'peer sync NAME --resume')" };
        var json = JsonOption("Print the peer (the API's peer shape) as one JSON line");
        var command = new Command("add", "Add a peer node to pull from") { name, url, verifierKey, apiKey, into, banks, categories, noOpinions, disabled, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string key = parse.GetValue(verifierKey)!.Trim();
            try
            {
                NoteVerifier.Parse(key);
            }
            catch (FormatException e)
            {
                throw new CommandFailedException(ExitCodes.BadInput, $"--verifier-key: {e.Message}");
            }

            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                var federation = Federation(s);
                string bankName = parse.GetValue(into)!;
                Bank bank = await s.FindBankAsync(bankName, cancellationToken).ConfigureAwait(false)
                    ?? throw new CommandFailedException(ExitCodes.Refused, $"no bank named '{bankName}' (create it with: clearinghouse bank create {bankName} --category CATEGORY)");
                Peer added = await federation.CreatePeerAsync(
                    new NewPeer(parse.GetValue(name)!.Trim(), parse.GetValue(url)!.Trim(), key, parse.GetValue(apiKey)!.Trim(), Split(parse.GetValue(banks)),
                        Split(parse.GetValue(categories)), bank.Id, !parse.GetValue(noOpinions), !parse.GetValue(disabled)),
                    cancellationToken).ConfigureAwait(false);
                await PrintAsync(s, federation, added, parse.GetValue(json), parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateList()
    {
        var store = new StoreOptions();
        var json = JsonOption("One JSON object per peer (the API's peer shape)");
        var command = new Command("list", "List the peers and where their sync stands") { json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var federation = Federation(s);
            foreach (Peer p in await federation.ListPeersAsync(cancellationToken).ConfigureAwait(false))
            {
                await PrintAsync(s, federation, p, parse.GetValue(json), parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateShow()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The peer's name" };
        var json = JsonOption("Print the peer (the API's peer shape) as one JSON line");
        var command = new Command("show", "Show a peer: its settings (not its API key) and sync status: cursor, last checkpoint, lag, last error") { name, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var federation = Federation(s);
            Peer p = await RequireAsync(federation, parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            await PrintAsync(s, federation, p, parse.GetValue(json), parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateRemove()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The peer's name" };
        var json = JsonOption("Print {\"removed\": NAME} as one JSON line");
        var command = new Command("remove", "Remove a peer (the signals imported from it stay; withdrawals there no longer reach them)") { name, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            string peerName = parse.GetValue(name)!;
            if (!await Federation(s).RemovePeerAsync(peerName, cancellationToken).ConfigureAwait(false))
            {
                throw new CommandFailedException(ExitCodes.Refused, $"no peer named '{peerName}' (peers: clearinghouse peer list)");
            }

            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(parse.GetValue(json) ? $"{{\"removed\":{JsonSerializer.Serialize(peerName, JsonOutput)}}}" : $"peer '{peerName}' removed");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateSync()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The peer's name" };
        var resume = new Option<bool>("--resume") { Description = "Enable the peer and clear a stop first (after looking at why verification stopped it)" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds one request to the peer may take", DefaultValueFactory = _ => 30 };
        var json = JsonOption("Print the peer after the pass (the API's peer shape) as one JSON line");
        var command = new Command("sync", "Run one verified sync pass with a peer now, from this process; exit 0 synced, 4 peer unreachable, 6 verification failed (sync stopped)") { name, resume, timeout, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var federation = Federation(s);
            string peerName = parse.GetValue(name)!;
            Peer p = await RequireAsync(federation, peerName, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(resume))
            {
                p = await federation.SetPeerEnabledAsync(peerName, true, cancellationToken).ConfigureAwait(false);
            }

            if (p.State.Stopped)
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, $"peer '{peerName}' is stopped: {p.State.LastError} (resume with --resume once resolved)");
            }

            var options = new FederationOptions { RequestTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))) };
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var worker = new FederationWorker(federation, new PeerSynchronizer(federation, s, options, http), options, http, TimeProvider.System, NullLogger<FederationWorker>.Instance);
            string? error = await worker.SyncNowAsync(p.Id, cancellationToken).ConfigureAwait(false);
            p = (await federation.GetPeerAsync(p.Id, cancellationToken).ConfigureAwait(false))!;
            await PrintAsync(s, federation, p, parse.GetValue(json), parse.InvocationConfiguration.Output, cancellationToken, worker.RuntimeOf(p.Id)).ConfigureAwait(false);
            return error is null ? ExitCodes.Success
                : p.State.Stopped ? throw new CommandFailedException(ExitCodes.VerificationFailed, $"sync with '{peerName}' stopped: {error}")
                : throw new CommandFailedException(ExitCodes.Unavailable, $"sync with '{peerName}' failed, will be retried: {error}");
        }, cancellationToken));
        return command;
    }

    private static IFederationStore Federation(IClearinghouseStore store) =>
        store as IFederationStore ?? throw new CommandFailedException(ExitCodes.Refused, "this store does not support federation");

    private static async Task<Peer> RequireAsync(IFederationStore federation, string name, CancellationToken cancellationToken) =>
        await federation.FindPeerAsync(name, cancellationToken).ConfigureAwait(false)
        ?? throw new CommandFailedException(ExitCodes.Refused, $"no peer named '{name}' (peers: clearinghouse peer list)");

    private static string[] Split(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task PrintAsync(
        IClearinghouseStore store, IFederationStore federation, Peer peer, bool json, TextWriter output, CancellationToken cancellationToken, PeerRuntime? runtime = null)
    {
        PeerInfo info = await PeerInfos.BuildAsync(store, federation, peer, runtime, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(info, JsonOutput));
            return;
        }

        PeerStatusInfo s = info.Status;
        output.WriteLine($"{info.Name}  {info.Url}  → bank {info.LocalBank}  [{s.State}]");
        output.WriteLine($"    cursor {s.Cursor} of {s.PeerSize} (lag {s.LagEntries} entries), checkpoint size {s.CheckpointSize}, imported {s.Imported}, withdrawn {s.Withdrawn}, skipped {s.Skipped}, outbox {s.OutboxPending} pending");
        output.WriteLine($"    banks: {(info.Banks.Count == 0 ? "all it may see" : string.Join(", ", info.Banks))}; categories: {(info.Categories.Count == 0 ? "the local bank's" : string.Join(", ", info.Categories))}; opinions back: {(info.SendOpinions ? "yes" : "no")}");
        if (s.LastSyncAt is { } at)
        {
            output.WriteLine($"    last sync {at:yyyy-MM-dd HH:mm:ss}Z");
        }

        if (s.LastError is not null)
        {
            output.WriteLine($"    {(s.Stopped ? "STOPPED" : "last error")}: {s.LastError}");
        }
    }
}
