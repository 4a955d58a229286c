namespace Clearinghouse.Hashing.Tlsh.Reference;

/// <summary>
/// A deliberately plain TLSH, written from the algorithm's description rather than for speed: a ring buffer of the
/// last five bytes, the four-step Pearson hash with the original salts (0 for the checksum; 2, 3, 5, 7, 11 and 13 for
/// the six byte triples), a full sort for the quartiles and a linear search for the length code. It is the oracle of
/// the tests (the optimised <see cref="TlshHasher"/> must agree with it on any input, in any split) and the same-run
/// baseline of the benchmarks. Never use it to hash.
/// </summary>
public static class ScalarReferenceTlsh
{
    private static readonly (int Salt, int X, int Y)[] Triples = [(2, 1, 2), (3, 1, 3), (5, 2, 3), (7, 2, 4), (11, 1, 4), (13, 3, 4)];

    /// <summary>The digest of <paramref name="data"/> as "T1…", or null where the reference gives none.</summary>
    public static string? Hash(ReadOnlySpan<byte> data)
    {
        var buckets = new long[256];
        var window = new byte[5];
        int checksum = 0;
        for (int i = 0; i < data.Length; i++)
        {
            window[i % 5] = data[i];
            if (i < 4)
            {
                continue;
            }

            // back(k) is the byte k positions before the current one.
            byte Back(int k) => window[(i - k + 5) % 5];
            checksum = Pearson(0, Back(0), Back(1), (byte)checksum);
            foreach (var (salt, x, y) in Triples)
            {
                buckets[Pearson(salt, Back(0), Back(x), Back(y))]++;
            }
        }

        if (data.Length < 50)
        {
            return null;
        }

        var sorted = buckets[..128];
        Array.Sort(sorted);
        long q1 = sorted[31], q2 = sorted[63], q3 = sorted[95];
        if (q3 == 0 || buckets[..128].Count(b => b > 0) <= 64)
        {
            return null;
        }

        int lengthCode = 0;
        while (data.Length > TlshTables.LengthCodeTop[lengthCode])
        {
            lengthCode++;
        }

        var body = new byte[32];
        for (int bucket = 0; bucket < 128; bucket++)
        {
            long k = buckets[bucket];
            int quartile = k <= q1 ? 0 : k <= q2 ? 1 : k <= q3 ? 2 : 3;
            body[bucket / 4] |= (byte)(quartile << (2 * (bucket % 4)));
        }

        var printed = new byte[35];
        printed[0] = (byte)(((checksum & 0xF) << 4) | (checksum >> 4));
        printed[1] = (byte)(((lengthCode & 0xF) << 4) | (lengthCode >> 4));
        printed[2] = (byte)(((q1 * 100 / q3 % 16) << 4) | (q2 * 100 / q3 % 16));
        for (int i = 0; i < 32; i++)
        {
            printed[3 + i] = body[31 - i];
        }

        return "T1" + Convert.ToHexString(printed);
    }

    private static byte Pearson(int salt, byte x, byte y, byte z)
    {
        var t = TlshTables.Pearson;
        return t[t[t[t[salt] ^ x] ^ y] ^ z];
    }
}
