using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Log;

/// <summary>
/// Signs the log's checkpoints with the node's key: the latest head, read from the store on each request (so every
/// replica sharing a database and key serves the same checkpoint), signed once per head and cached.
/// </summary>
internal sealed class CheckpointSigner(NodeSigningKey key, IClearinghouseStore store)
{
    // A reference, so a reader never sees one head paired with another head's note.
    private volatile SignedHead? _latest;

    /// <summary>The log's origin: the checkpoint's first line and the key's name.</summary>
    public string Origin => key.Name;

    /// <summary>The verifier key anyone checks checkpoints with.</summary>
    public string VerifierKey => key.VerifierKey;

    /// <summary>The signed checkpoint of the log's current head.</summary>
    public async Task<(LogHead Head, string Note)> LatestAsync(CancellationToken cancellationToken)
    {
        LogHead head = await store.GetLogHeadAsync(cancellationToken).ConfigureAwait(false);
        if (_latest is { } hit && hit.Head == head)
        {
            return (hit.Head, hit.Note);
        }

        var signed = new SignedHead(head, new Checkpoint(key.Name, head.Size, head.Root).Sign(key));
        _latest = signed;
        return (signed.Head, signed.Note);
    }

    private sealed record SignedHead(LogHead Head, string Note);
}
