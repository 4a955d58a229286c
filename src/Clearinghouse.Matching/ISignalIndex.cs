namespace Clearinghouse.Matching;

/// <summary>One lookup result: a stored entry's id and its distance to the query.</summary>
public readonly record struct IndexMatch(long Id, int Distance);

/// <summary>One result of a batch lookup: the query's position in the batch, the stored entry's id and the distance.</summary>
public readonly record struct BatchMatch(int Query, long Id, int Distance);

/// <summary>The part of an index that does not depend on the value type (so heterogeneous indexes can be held together).</summary>
/// <remarks>
/// Every index is safe for any number of concurrent readers (<c>Query</c>) while one thread writes
/// (<c>Add</c>/<c>Remove</c>); writers are serialised internally, readers never block on them.
/// </remarks>
public interface ISignalIndex
{
    /// <summary>Number of live entries.</summary>
    int Count { get; }

    /// <summary>Whether an entry with this id is stored.</summary>
    bool Contains(long id);

    /// <summary>Removes the entry with this id; false when there was none.</summary>
    bool Remove(long id);

    /// <summary>
    /// Announces many adds at once (a node loading its store at start-up): until the returned scope is disposed the
    /// index may defer its per-add upkeep and do it in one pass at the end. Queries stay exact meanwhile (possibly
    /// slower). Scopes may nest; the upkeep runs when the last one is disposed. The default defers nothing.
    /// </summary>
    IDisposable BeginBulkLoad() => BulkLoadScope.None;
}

/// <summary>The scope <see cref="ISignalIndex.BeginBulkLoad"/> returns: runs its end action once, on the first dispose.</summary>
public sealed class BulkLoadScope(Action? end) : IDisposable
{
    /// <summary>A scope with nothing to end.</summary>
    public static BulkLoadScope None { get; } = new(null);

    private Action? _end = end;

    public void Dispose() => Interlocked.Exchange(ref _end, null)?.Invoke();
}

/// <summary>An index of values of one signal type: add, remove and query by distance.</summary>
/// <typeparam name="TValue">The value type (a <c>Hash256</c> for PDQ, a digest or a canonical string for exact types).</typeparam>
public interface ISignalIndex<in TValue> : ISignalIndex
{
    /// <summary>Stores <paramref name="value"/> under <paramref name="id"/>, replacing any entry with that id. Visible to the next query.</summary>
    void Add(long id, TValue value);

    /// <summary>
    /// Appends to <paramref name="results"/> every stored entry within <paramref name="threshold"/> of
    /// <paramref name="value"/> (distance ≤ threshold), each exactly once, in no particular order.
    /// </summary>
    void Query(TValue value, int threshold, List<IndexMatch> results);
}

/// <summary>Conveniences over <see cref="ISignalIndex{TValue}"/>.</summary>
public static class SignalIndexExtensions
{
    /// <summary>Every stored entry within <paramref name="threshold"/> of <paramref name="value"/>, as a new list.</summary>
    public static List<IndexMatch> Query<TValue>(this ISignalIndex<TValue> index, TValue value, int threshold)
    {
        ArgumentNullException.ThrowIfNull(index);
        var results = new List<IndexMatch>();
        index.Query(value, threshold, results);
        return results;
    }
}
