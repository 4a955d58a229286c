namespace Clearinghouse.Server.Actions;

/// <summary>
/// Exponential backoff with full jitter (AWS's "Exponential Backoff And Jitter"): after the n-th failed attempt the
/// next waits a uniformly random time in [0, min(cap, base · 2^(n−1))], so receivers coming back up are not hit by
/// every node's retries at once.
/// </summary>
internal static class WebhookBackoff
{
    /// <summary>The upper bound of the wait after <paramref name="failedAttempts"/> failed attempts.</summary>
    public static TimeSpan Ceiling(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        double ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(failedAttempts - 1, 40));
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The wait before the next attempt.</summary>
    public static TimeSpan Delay(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, Random random) =>
        TimeSpan.FromTicks((long)(random.NextDouble() * Ceiling(failedAttempts, baseDelay, maxDelay).Ticks));
}
