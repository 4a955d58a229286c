using System.Collections.Concurrent;
using Clearinghouse.Hashing.Urls;

namespace Clearinghouse.Matching.Urls;

/// <summary>
/// The index of the <c>url</c> signal type: exact URLs, whole domains (<c>domain:example.com</c>) and path prefixes
/// (<c>prefix:https://example.com/channel/</c>). Every match has distance 0.
/// </summary>
/// <remarks>
/// <para>A URL query costs one hash lookup for the URL itself, one per suffix of its host at a label boundary
/// (<c>a.b.example.com</c>, <c>b.example.com</c>, <c>example.com</c>, <c>com</c>) in the domain map, and two per path
/// segment in its origin's prefix map (<c>/a</c>, <c>/a/</c>, <c>/a/b</c>, …): no scan, whatever the number of
/// signals. Lookups use the spans of the query's host and path (no key strings are built).</para>
/// <para>A pattern as the query finds the equal pattern and every stored URL that it covers (<see cref="UrlPattern.Match"/>
/// is symmetric); the covered URLs are found by a scan of the stored exact URLs — a rare, administrative question
/// ("what does this pattern catch?"), not the matching path.</para>
/// <para>Concurrency as in <see cref="ExactIndex{TKey}"/>: lock-free readers over concurrent dictionaries whose
/// values are immutable id arrays replaced whole by the one writer.</para>
/// </remarks>
public sealed class UrlIndex : ISignalIndex<UrlPattern>
{
    private readonly ConcurrentDictionary<string, Entry> _urls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long[]> _domains = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, long[]>> _prefixesByOrigin = new(StringComparer.Ordinal);
    private readonly Dictionary<long, UrlPattern> _byId = [];
    private readonly Lock _writeLock = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public bool Contains(long id)
    {
        lock (_writeLock)
        {
            return _byId.ContainsKey(id);
        }
    }

    public void Add(long id, UrlPattern value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_writeLock)
        {
            if (_byId.ContainsKey(id))
            {
                RemoveLocked(id);
            }

            _byId[id] = value;
            switch (value.Kind)
            {
                case UrlPatternKind.Url:
                    _urls[value.Canonical] = _urls.TryGetValue(value.Canonical, out var entry)
                        ? entry with { Ids = [.. entry.Ids, id] }
                        : new Entry(value, [id]);
                    break;
                case UrlPatternKind.Domain:
                    IdArrays.Add(_domains, value.Host, id);
                    break;
                default:
                    var url = value.Url!;
                    IdArrays.Add(_prefixesByOrigin.GetOrAdd(url.Origin, _ => new(StringComparer.Ordinal)), url.Path, id);
                    break;
            }

            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool Remove(long id)
    {
        lock (_writeLock)
        {
            if (!_byId.ContainsKey(id))
            {
                return false;
            }

            RemoveLocked(id);
            return true;
        }
    }

    /// <summary>Appends every stored value that matches <paramref name="value"/> (see <see cref="UrlPattern.Match"/>), with distance 0.</summary>
    public void Query(UrlPattern value, int threshold, List<IndexMatch> results)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentNullException.ThrowIfNull(results);
        int start = results.Count;
        if (value.Kind == UrlPatternKind.Url)
        {
            QueryUrl(value, results);
        }
        else
        {
            QueryPattern(value, results);
        }

        ResultIds.RemoveDuplicates(results, start);
    }

    private void QueryUrl(UrlPattern value, List<IndexMatch> results)
    {
        var url = value.Url!;
        if (_urls.TryGetValue(value.Canonical, out var exact))
        {
            AddAll(exact.Ids, results);
        }

        // The host and each of its parent domains (names only: an IP address has no parent).
        var domains = _domains.GetAlternateLookup<ReadOnlySpan<char>>();
        var host = url.Host.AsSpan();
        while (true)
        {
            if (domains.TryGetValue(host, out var ids))
            {
                AddAll(ids, results);
            }

            int dot = host.IndexOf('.');
            if (url.HostKind != HostKind.Name || dot < 0)
            {
                break;
            }

            host = host[(dot + 1)..];
        }

        // Path prefixes P that cover the path Q: Q itself, and for each '/' at i, Q[..i] and Q[..(i + 1)] (each once).
        if (_prefixesByOrigin.TryGetValue(url.Origin, out var prefixes))
        {
            var lookup = prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
            var path = url.Path.AsSpan();
            for (int i = 0; i < path.Length; i++)
            {
                if (path[i] != '/')
                {
                    continue;
                }

                // After "//" the key without the slash is the one looked up with the previous slash.
                if (i > 0 && path[i - 1] != '/' && lookup.TryGetValue(path[..i], out var without))
                {
                    AddAll(without, results);
                }

                if (i + 1 < path.Length && lookup.TryGetValue(path[..(i + 1)], out var with))
                {
                    AddAll(with, results);
                }
            }

            if (lookup.TryGetValue(path, out var whole))
            {
                AddAll(whole, results);
            }
        }
    }

    private void QueryPattern(UrlPattern value, List<IndexMatch> results)
    {
        long[]? equal = null;
        if (value.Kind == UrlPatternKind.Domain)
        {
            _domains.TryGetValue(value.Host, out equal);
        }
        else if (_prefixesByOrigin.TryGetValue(value.Url!.Origin, out var prefixes))
        {
            prefixes.TryGetValue(value.Url.Path, out equal);
        }

        if (equal is not null)
        {
            AddAll(equal, results);
        }

        foreach (var (_, entry) in _urls)
        {
            if (value.Covers(entry.Value.Url!))
            {
                AddAll(entry.Ids, results);
            }
        }
    }

    private void RemoveLocked(long id)
    {
        _byId.Remove(id, out var value);
        switch (value!.Kind)
        {
            case UrlPatternKind.Url:
                var entry = _urls[value.Canonical];
                if (entry.Ids.Length == 1)
                {
                    _urls.TryRemove(value.Canonical, out _);
                }
                else
                {
                    _urls[value.Canonical] = entry with { Ids = IdArrays.Without(entry.Ids, id) };
                }

                break;
            case UrlPatternKind.Domain:
                IdArrays.Remove(_domains, value.Host, id);
                break;
            default:
                var prefixes = _prefixesByOrigin[value.Url!.Origin];
                IdArrays.Remove(prefixes, value.Url.Path, id);
                break;
        }

        Volatile.Write(ref _count, _count - 1);
    }

    private static void AddAll(long[] ids, List<IndexMatch> results)
    {
        foreach (long id in ids)
        {
            results.Add(new IndexMatch(id, 0));
        }
    }

    private sealed record Entry(UrlPattern Value, long[] Ids);
}

/// <summary>Copy-on-write id arrays in a concurrent dictionary (only the writer calls these, under its lock).</summary>
internal static class IdArrays
{
    public static void Add(ConcurrentDictionary<string, long[]> map, string key, long id) =>
        map[key] = map.TryGetValue(key, out var ids) ? [.. ids, id] : [id];

    public static void Remove(ConcurrentDictionary<string, long[]> map, string key, long id)
    {
        var ids = map[key];
        if (ids.Length == 1)
        {
            map.TryRemove(key, out _);
        }
        else
        {
            map[key] = Without(ids, id);
        }
    }

    public static long[] Without(long[] ids, long id)
    {
        var rest = new long[ids.Length - 1];
        int k = 0;
        foreach (long other in ids)
        {
            if (other != id)
            {
                rest[k++] = other;
            }
        }

        return rest;
    }
}
