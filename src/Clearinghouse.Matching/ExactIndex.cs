using System.Collections.Concurrent;

namespace Clearinghouse.Matching;

/// <summary>
/// An index for signal types that match only on equal values (md5, sha256, url, payment identifiers):
/// every result has distance 0, whatever the threshold.
/// </summary>
/// <remarks>
/// Readers look values up in a <see cref="ConcurrentDictionary{TKey,TValue}"/> (lock-free reads) whose values are
/// immutable id arrays replaced whole on every change (copy-on-write: almost every value has one id), so a
/// reader sees either the old or the new array, never a half-updated one. The id → value map is touched only
/// by writers, under a writer lock.
/// </remarks>
public sealed class ExactIndex<TKey> : ISignalIndex<TKey>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, long[]> _byValue;
    private readonly Dictionary<long, TKey> _byId = [];
    private readonly Lock _writeLock = new();
    private int _count;

    public ExactIndex(IEqualityComparer<TKey>? comparer = null)
    {
        _byValue = new ConcurrentDictionary<TKey, long[]>(comparer ?? EqualityComparer<TKey>.Default);
    }

    public int Count => Volatile.Read(ref _count);

    public bool Contains(long id)
    {
        lock (_writeLock)
        {
            return _byId.ContainsKey(id);
        }
    }

    public void Add(long id, TKey value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_writeLock)
        {
            if (_byId.TryGetValue(id, out var old))
            {
                RemoveIdFromValue(id, old);
            }
            else
            {
                Volatile.Write(ref _count, _count + 1);
            }

            _byId[id] = value;
            long[] ids = _byValue.TryGetValue(value, out var existing) ? [.. existing, id] : [id];
            _byValue[value] = ids;
        }
    }

    public bool Remove(long id)
    {
        lock (_writeLock)
        {
            if (!_byId.Remove(id, out var value))
            {
                return false;
            }

            RemoveIdFromValue(id, value);
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    /// <summary>Appends every entry whose value equals <paramref name="value"/>, with distance 0.</summary>
    public void Query(TKey value, int threshold, List<IndexMatch> results)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentNullException.ThrowIfNull(results);
        if (_byValue.TryGetValue(value, out var ids))
        {
            foreach (long id in ids)
            {
                results.Add(new IndexMatch(id, 0));
            }
        }
    }

    private void RemoveIdFromValue(long id, TKey value)
    {
        var ids = _byValue[value];
        if (ids.Length == 1)
        {
            _byValue.TryRemove(value, out _);
            return;
        }

        var rest = new long[ids.Length - 1];
        int k = 0;
        foreach (long other in ids)
        {
            if (other != id)
            {
                rest[k++] = other;
            }
        }

        _byValue[value] = rest;
    }
}
