using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Log;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api;

/// <summary>
/// The transparency log's public routes (no key): the signed checkpoint, entries, inclusion and consistency proofs,
/// the verifier key. Everything but the checkpoint is immutable once served, so it is marked cacheable for a year.
/// </summary>
internal static class LogEndpoints
{
    /// <summary>Most entries one page of /log/entries returns.</summary>
    public const int MaxEntriesPerPage = 1000;

    private const string Immutable = "public, max-age=31536000, immutable";

    public static void Map(IEndpointRouteBuilder app)
    {
        var log = app.MapGroup("/log").WithTags("Transparency log");
        log.MapGet("/checkpoint", CheckpointAsync)
            .WithName("LogCheckpoint")
            .WithSummary("The latest checkpoint (C2SP tlog-checkpoint: origin, tree size, base64 root), signed as a C2SP signed note with the node's Ed25519 key")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        log.MapGet("/verifier-key", VerifierKey)
            .WithName("LogVerifierKey")
            .WithSummary("The verifier key for checkpoints: name+hex(key id)+base64(0x01 ‖ Ed25519 public key), as golang.org/x/mod/sumdb/note reads it")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        log.MapGet("/entries", EntriesAsync)
            .WithName("LogEntries")
            .WithSummary($"Entries [start, end) with their indices, each as its canonical JSON text; at most {MaxEntriesPerPage} per page (end defaults to, and is cut at, start + {MaxEntriesPerPage} and the tree size)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        log.MapGet("/proof/inclusion", InclusionAsync)
            .WithName("LogInclusionProof")
            .WithSummary("RFC 9162 inclusion proof (audit path) of entry index in the tree of size entries (0 <= index < size <= tree size; size defaults to the tree size)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        log.MapGet("/proof/consistency", ConsistencyAsync)
            .WithName("LogConsistencyProof")
            .WithSummary("RFC 9162 consistency proof from the tree of 'from' entries to the tree of 'to' entries (1 <= from <= to <= tree size; to defaults to the tree size)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        log.MapGet("/signals/{publicId}", SignalEntryAsync)
            .WithName("LogSignalEntry")
            .WithSummary("The index of a signal's signal-added entry, by the signal's public id (to fetch its inclusion proof)")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<ContentHttpResult> CheckpointAsync(CheckpointSigner signer, HttpContext context)
    {
        (_, string note) = await signer.LatestAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "public, max-age=1";
        return TypedResults.Text(note, "text/plain; charset=utf-8", Encoding.UTF8);
    }

    private static ContentHttpResult VerifierKey(CheckpointSigner signer, HttpContext context)
    {
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Text(signer.VerifierKey + "\n", "text/plain; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<Ok<LogEntriesPage>> EntriesAsync(IClearinghouseStore store, HttpContext context, long start, long? end)
    {
        LogHead head = await store.GetLogHeadAsync(context.RequestAborted).ConfigureAwait(false);
        if (start < 0 || start > head.Size)
        {
            throw Problems.BadRequest($"start {start} is outside the log of size {head.Size} (0 <= start <= size)");
        }

        if (end is { } asked && (asked < start || asked > head.Size))
        {
            throw Problems.BadRequest($"end {asked} must be between start {start} and the log's size {head.Size}");
        }

        long stop = Math.Min(end ?? head.Size, Math.Min(head.Size, start + MaxEntriesPerPage));
        IReadOnlyList<LogRecord> records = await store.ReadLogEntriesAsync(start, stop, context.RequestAborted).ConfigureAwait(false);
        var items = new LogEntryItem[records.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = new LogEntryItem(records[i].Index, Encoding.UTF8.GetString(records[i].Body));
        }

        context.Response.Headers.CacheControl = Immutable;
        return TypedResults.Ok(new LogEntriesPage(start, stop, head.Size, items));
    }

    private static async Task<Ok<InclusionProofInfo>> InclusionAsync(IClearinghouseStore store, HttpContext context, long index, long? size)
    {
        long treeSize = size ?? (await store.GetLogHeadAsync(context.RequestAborted).ConfigureAwait(false)).Size;
        IReadOnlyList<MerkleHash> proof = await store.GetInclusionProofAsync(index, treeSize, context.RequestAborted).ConfigureAwait(false);
        if (size is not null)
        {
            context.Response.Headers.CacheControl = Immutable;
        }

        return TypedResults.Ok(new InclusionProofInfo(index, treeSize, ToBase64(proof)));
    }

    private static async Task<Ok<ConsistencyProofInfo>> ConsistencyAsync(IClearinghouseStore store, HttpContext context, long from, long? to)
    {
        long toSize = to ?? (await store.GetLogHeadAsync(context.RequestAborted).ConfigureAwait(false)).Size;
        if (from < 1)
        {
            throw Problems.BadRequest($"from must be 1 or more, not {from.ToString(CultureInfo.InvariantCulture)} (every tree is consistent with the empty one)");
        }

        IReadOnlyList<MerkleHash> proof = await store.GetConsistencyProofAsync(from, toSize, context.RequestAborted).ConfigureAwait(false);
        if (to is not null)
        {
            context.Response.Headers.CacheControl = Immutable;
        }

        return TypedResults.Ok(new ConsistencyProofInfo(from, toSize, ToBase64(proof)));
    }

    private static async Task<Ok<SignalLogInfo>> SignalEntryAsync(IClearinghouseStore store, HttpContext context, string publicId)
    {
        SignalCommitment commitment = await store.GetSignalCommitmentAsync(publicId, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"no signal-added entry for signal '{publicId}'");
        context.Response.Headers.CacheControl = Immutable;
        return TypedResults.Ok(new SignalLogInfo(commitment.PublicId, commitment.LogIndex));
    }

    private static string[] ToBase64(IReadOnlyList<MerkleHash> proof)
    {
        var hashes = new string[proof.Count];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = proof[i].ToBase64();
        }

        return hashes;
    }
}
