namespace Clearinghouse.Server.Federation;

/// <summary>How this node pulls from its peers (see docs/federation.md).</summary>
public sealed record FederationOptions
{
    /// <summary>Whether the background worker runs (the routes and the CLI work either way).</summary>
    public bool WorkerEnabled { get; init; } = true;

    /// <summary>How often each enabled peer is polled when it is healthy.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Peer log entries verified and applied per transaction (bounds memory and the size of one commit).</summary>
    public int BatchEntries { get; init; } = 50_000;

    /// <summary>Signal events per feed page asked of a peer.</summary>
    public int FeedPageSize { get; init; } = 10_000;

    /// <summary>Entry pages fetched from a peer at once.</summary>
    public int ParallelRequests { get; init; } = 4;

    /// <summary>One HTTP request to a peer, before it counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Attempts per request (the first included) before the sync pass fails.</summary>
    public int RequestAttempts { get; init; } = 3;

    /// <summary>The first retry delay; it doubles per failure (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between sync passes of a failing peer.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(2);
}
