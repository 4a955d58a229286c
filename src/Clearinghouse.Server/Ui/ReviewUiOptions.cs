namespace Clearinghouse.Server.Ui;

/// <summary>How the review UI signs reviewers in and how long their sessions last.</summary>
public sealed record ReviewUiOptions
{
    /// <summary>A session ends after this long without a request (sliding; renewed as the reviewer works).</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in, however active (absolute expiry).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(10);

    /// <summary>Wrong passwords in a row after which sign-in is paused.</summary>
    public int LockoutAfterFailures { get; init; } = 5;

    /// <summary>The first pause; it doubles with each further wrong password, up to <see cref="LockoutMax"/>.</summary>
    public TimeSpan LockoutBase { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan LockoutMax { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Where the keys that protect session and antiforgery cookies are kept. Replicas behind one load balancer
    /// need the same directory. Null: keys live in memory only, so sessions end when the node restarts.
    /// </summary>
    public string? KeysDirectory { get; init; }

    /// <summary>How long a wrong password's pause lasts after <paramref name="failures"/> in a row (zero: none yet).</summary>
    public TimeSpan LockoutAfter(int failures)
    {
        if (failures < LockoutAfterFailures)
        {
            return TimeSpan.Zero;
        }

        int doublings = Math.Min(failures - LockoutAfterFailures, 20);
        var pause = TimeSpan.FromTicks(LockoutBase.Ticks * (1L << doublings));
        return pause < LockoutMax ? pause : LockoutMax;
    }
}
