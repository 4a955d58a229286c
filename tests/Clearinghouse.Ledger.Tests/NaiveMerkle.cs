using System.Security.Cryptography;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tests;

/// <summary>
/// RFC 9162 §2.1 written out literally over byte arrays, with no shared code with the library: MTH, PATH and PROOF
/// as the RFC's recursive definitions, the split found by counting up. The reference the library is checked against.
/// </summary>
internal static class NaiveMerkle
{
    public static byte[] LeafHash(byte[] entry) => SHA256.HashData([0x00, .. entry]);

    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>MTH(D[n]) over leaf hashes (the leaves themselves are already hashed).</summary>
    public static byte[] Mth(IReadOnlyList<byte[]> leafHashes, int start, int end)
    {
        int n = end - start;
        if (n == 0)
        {
            return SHA256.HashData(Array.Empty<byte>());
        }

        if (n == 1)
        {
            return leafHashes[start];
        }

        int k = Split(n);
        return NodeHash(Mth(leafHashes, start, start + k), Mth(leafHashes, start + k, end));
    }

    /// <summary>PATH(m, D[n]).</summary>
    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> leafHashes, int start, int end)
    {
        int n = end - start;
        if (n == 1)
        {
            return [];
        }

        int k = Split(n);
        if (m < k)
        {
            var path = Path(m, leafHashes, start, start + k);
            path.Add(Mth(leafHashes, start + k, end));
            return path;
        }
        else
        {
            var path = Path(m - k, leafHashes, start + k, end);
            path.Add(Mth(leafHashes, start, start + k));
            return path;
        }
    }

    /// <summary>PROOF(m, D[n]) = SUBPROOF(m, D[n], true).</summary>
    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> leafHashes, int n) => SubProof(m, leafHashes, 0, n, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> leafHashes, int start, int end, bool b)
    {
        int n = end - start;
        if (m == n)
        {
            return b ? [] : [Mth(leafHashes, start, end)];
        }

        int k = Split(n);
        if (m <= k)
        {
            var proof = SubProof(m, leafHashes, start, start + k, b);
            proof.Add(Mth(leafHashes, start + k, end));
            return proof;
        }
        else
        {
            var proof = SubProof(m - k, leafHashes, start + k, end, false);
            proof.Add(Mth(leafHashes, start, start + k));
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

    public static MerkleHash ToHash(byte[] bytes) => MerkleHash.FromBytes(bytes);

    /// <summary>Deterministic distinct entries: entry i is the ASCII of "entry-i".</summary>
    public static byte[] Entry(int i) => System.Text.Encoding.ASCII.GetBytes($"entry-{i}");

    public static List<byte[]> LeafHashes(int count)
    {
        var list = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(LeafHash(Entry(i)));
        }

        return list;
    }
}
