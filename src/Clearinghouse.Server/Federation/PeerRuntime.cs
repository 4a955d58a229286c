namespace Clearinghouse.Server.Federation;

/// <summary>What the worker knows about a peer beyond the store: the size last seen, failures, the next attempt.</summary>
internal sealed class PeerRuntime
{
    private long _peerSize;
    private long _cursor;
    private long _attempts;
    private int _failures;
    private long _nextAttemptTicks;

    /// <summary>Serialises sync passes of this peer (the worker's and an operator's "sync now").</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Woken to poll now.</summary>
    public SemaphoreSlim Wake { get; } = new(0, 1);

    public long PeerSize { get => Interlocked.Read(ref _peerSize); set => Interlocked.Exchange(ref _peerSize, value); }

    public long Cursor { get => Interlocked.Read(ref _cursor); set => Interlocked.Exchange(ref _cursor, value); }

    public long Attempts => Interlocked.Read(ref _attempts);

    public int ConsecutiveFailures => Volatile.Read(ref _failures);

    public DateTimeOffset? NextAttemptAt
    {
        get
        {
            long ticks = Interlocked.Read(ref _nextAttemptTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        set => Interlocked.Exchange(ref _nextAttemptTicks, value?.UtcTicks ?? 0);
    }

    public string State { get; set; } = "idle";

    public void Attempted() => Interlocked.Increment(ref _attempts);

    public int Failed() => Interlocked.Increment(ref _failures);

    public void Succeeded() => Volatile.Write(ref _failures, 0);

    public void RequestWake()
    {
        try
        {
            Wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is pending already.
        }
    }
}
