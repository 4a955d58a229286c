using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Tests;

/// <summary>The brute-force reference: a plain dictionary of id → hash, searched exhaustively.</summary>
internal sealed class Model
{
    private readonly Dictionary<long, Hash256> _entries = [];

    public int Count => _entries.Count;

    public IEnumerable<long> Ids => _entries.Keys;

    public void Add(long id, Hash256 hash) => _entries[id] = hash;

    public bool Remove(long id) => _entries.Remove(id);

    public bool Contains(long id) => _entries.ContainsKey(id);

    public Hash256 HashOf(long id) => _entries[id];

    public List<IndexMatch> Query(Hash256 query, int radius)
    {
        var results = new List<IndexMatch>();
        foreach (var (id, hash) in _entries)
        {
            int d = Hash256.Distance(query, hash);
            if (d <= radius)
            {
                results.Add(new IndexMatch(id, d));
            }
        }

        return Sorted(results);
    }

    public static List<IndexMatch> Sorted(List<IndexMatch> results)
    {
        results.Sort((a, b) => a.Id != b.Id ? a.Id.CompareTo(b.Id) : a.Distance.CompareTo(b.Distance));
        return results;
    }
}

/// <summary>Random hashes for tests: uniform, and near-duplicate clusters as in real hash sets.</summary>
internal static class Hashes
{
    public static Hash256 Random(Random rng) =>
        new((ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63), (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63),
            (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63), (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63));

    /// <summary><paramref name="hash"/> with <paramref name="flips"/> distinct random bits flipped.</summary>
    public static Hash256 Flip(Hash256 hash, int flips, Random rng)
    {
        var bits = new HashSet<int>();
        while (bits.Count < flips)
        {
            bits.Add(rng.Next(256));
        }

        foreach (int b in bits)
        {
            hash = hash.FlipBit(b);
        }

        return hash;
    }
}
