using System.Security.Cryptography;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tests;

/// <summary>
/// RFC 9162 §2.1 written out literally over byte arrays, with no code shared with the library: MTH, PATH and PROOF
/// as the RFC's recursive definitions, the split found by counting up. The reference the library is checked against.
/// MTH results are memoised per range (a cache, not a change of definition) so every size and index stays cheap.
/// </summary>
internal sealed class NaiveMerkle
{
    private readonly IReadOnlyList<byte[]> _leafHashes;
    private readonly Dictionary<(int, int), byte[]> _mth = [];

    public NaiveMerkle(IReadOnlyList<byte[]> leafHashes) => _leafHashes = leafHashes;

    public static byte[] LeafHash(byte[] entry) => SHA256.HashData([0x00, .. entry]);

    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>Deterministic distinct entries: entry i is the ASCII of "entry-i".</summary>
    public static byte[] Entry(int i) => System.Text.Encoding.ASCII.GetBytes($"entry-{i}");

    public static NaiveMerkle OfEntries(int count) =>
        new(Enumerable.Range(0, count).Select(i => LeafHash(Entry(i))).ToList());

    public MerkleHash Leaf(int i) => MerkleHash.FromBytes(_leafHashes[i]);

    public MerkleHash[] Leaves(int count) => Enumerable.Range(0, count).Select(Leaf).ToArray();

    /// <summary>MTH(D[0:n]).</summary>
    public MerkleHash Root(int n) => MerkleHash.FromBytes(Mth(0, n));

    /// <summary>MTH(D[start:end]).</summary>
    public MerkleHash RootOf(int start, int end) => MerkleHash.FromBytes(Mth(start, end));

    /// <summary>PATH(m, D[0:n]).</summary>
    public MerkleHash[] Path(int m, int n) => [.. PathOf(m, 0, n).Select(b => MerkleHash.FromBytes(b))];

    /// <summary>PROOF(m, D[0:n]) = SUBPROOF(m, D[n], true).</summary>
    public MerkleHash[] Proof(int m, int n) => [.. SubProof(m, 0, n, true).Select(b => MerkleHash.FromBytes(b))];

    private byte[] Mth(int start, int end)
    {
        if (_mth.TryGetValue((start, end), out var cached))
        {
            return cached;
        }

        int n = end - start;
        byte[] hash = n switch
        {
            0 => SHA256.HashData(Array.Empty<byte>()),
            1 => _leafHashes[start],
            _ => NodeHash(Mth(start, start + Split(n)), Mth(start + Split(n), end)),
        };
        _mth[(start, end)] = hash;
        return hash;
    }

    private List<byte[]> PathOf(int m, int start, int end)
    {
        int n = end - start;
        if (n == 1)
        {
            return [];
        }

        int k = Split(n);
        if (m < k)
        {
            var path = PathOf(m, start, start + k);
            path.Add(Mth(start + k, end));
            return path;
        }
        else
        {
            var path = PathOf(m - k, start + k, end);
            path.Add(Mth(start, start + k));
            return path;
        }
    }

    private List<byte[]> SubProof(int m, int start, int end, bool b)
    {
        int n = end - start;
        if (m == n)
        {
            return b ? [] : [Mth(start, end)];
        }

        int k = Split(n);
        if (m <= k)
        {
            var proof = SubProof(m, start, start + k, b);
            proof.Add(Mth(start + k, end));
            return proof;
        }
        else
        {
            var proof = SubProof(m - k, start + k, end, false);
            proof.Add(Mth(start, start + k));
            return proof;
        }
    }

    /// <summary>The largest power of two strictly below n, by counting.</summary>
    private static int Split(int n)
    {
        int k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}
