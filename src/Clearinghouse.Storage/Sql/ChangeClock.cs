namespace Clearinghouse.Storage.Sql;

/// <summary>
/// Hands out change-feed positions inside one writing transaction. The transaction holds the change lock (SQLite's
/// single writer; PostgreSQL's transaction-level advisory lock), so the counter read at its start cannot move under
/// it, and the positions it hands out become visible, at commit, before any later transaction can take one.
/// </summary>
internal sealed class ChangeClock(long current)
{
    private readonly long _start = current;

    /// <summary>The last position handed out (or the counter's value when none was).</summary>
    public long Current { get; private set; } = current;

    public bool Dirty => Current != _start;

    public long Next() => ++Current;

    /// <summary>Reserves <paramref name="count"/> consecutive positions and returns the first.</summary>
    public long Reserve(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long first = Current + 1;
        Current += count;
        return first;
    }
}
