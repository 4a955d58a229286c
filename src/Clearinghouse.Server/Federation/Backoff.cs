namespace Clearinghouse.Server.Federation;

/// <summary>Exponential backoff with jitter: after the n-th failure wait between half and all of min(max, base·2^(n−1)).</summary>
internal static class Backoff
{
    public static TimeSpan Delay(TimeSpan baseDelay, int failures, TimeSpan max)
    {
        double ceiling = Math.Min(max.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30)));

        // Jitter spreads the retries of many nodes after a shared outage; not security-relevant randomness.
#pragma warning disable CA5394
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
#pragma warning restore CA5394
    }
}
