using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Clearinghouse.Hashing.Tlsh;

/// <summary>Why an input has no TLSH digest (the reference then returns an empty digest).</summary>
public enum TlshFailure
{
    /// <summary>There is a digest.</summary>
    None,

    /// <summary>Fewer than 50 bytes.</summary>
    TooShort,

    /// <summary>The third quartile of the bucket counts is zero: at least three quarters of the buckets are empty.</summary>
    TooUniform,

    /// <summary>Half of the 128 buckets or more are empty: too little variety to describe.</summary>
    TooFewBuckets,

    /// <summary>Longer than the reference's length code can represent (4,224,281,216 bytes).</summary>
    TooLong,
}

/// <summary>The outcome of <see cref="TlshHasher.Final"/>: a digest, or why there is none.</summary>
public readonly record struct TlshResult(TlshHash Hash, TlshFailure Failure, string? Reason)
{
    /// <summary>Whether there is a digest.</summary>
    [MemberNotNullWhen(false, nameof(Reason))]
    public bool Ok => Failure == TlshFailure.None;
}

/// <summary>
/// Incremental TLSH (128 buckets, 1-byte checksum, window of 5), bit-exact with trendmicro/tlsh in its default
/// mode: feed any number of chunks with <see cref="Update"/>, then call <see cref="Final"/>. The digest depends only
/// on the concatenated bytes, not on how they were split.
/// </summary>
/// <remarks>
/// Every byte position <c>p ≥ 4</c> of the input, with the window <c>a0..a4</c> = bytes <c>p−4..p</c>, adds one to
/// six buckets (Pearson hashes of byte triples, each with its own salt) and advances the checksum. The last four bytes
/// of each chunk are carried over so that windows spanning two chunks count exactly as in one buffer. (The reference's
/// own incremental update loses the first bytes when its first chunk is shorter than four bytes; a single buffer is
/// what its tools and tests hash, and what this class reproduces for every split.)
/// Not thread-safe; one instance per stream, reusable after <see cref="Final"/> or <see cref="Reset"/>.
/// </remarks>
[SkipLocalsInit]
public sealed class TlshHasher
{
    private readonly uint[] _buckets = new uint[256];
    private readonly byte[] _carry = new byte[TlshTables.WindowSize - 1];
    private long _length;
    private byte _checksum;

    /// <summary>Bytes fed so far.</summary>
    public long Length => _length;

    /// <summary>The digest of <paramref name="data"/>, or why it has none.</summary>
    public static TlshResult Hash(ReadOnlySpan<byte> data)
    {
        var hasher = new TlshHasher();
        hasher.Update(data);
        return hasher.Final();
    }

    /// <summary>The digest of <paramref name="text"/> encoded as UTF-8 (what python-threatexchange hashes for text).</summary>
    public static TlshResult HashText(ReadOnlySpan<char> text)
    {
        var hasher = new TlshHasher();
        hasher.UpdateText(text);
        return hasher.Final();
    }

    /// <summary>Feeds <paramref name="text"/> as UTF-8 (unpaired surrogates become U+FFFD, as .NET's encoder writes them).</summary>
    public void UpdateText(ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4096];
        while (!text.IsEmpty)
        {
            System.Text.Unicode.Utf8.FromUtf16(text, utf8, out int read, out int written, replaceInvalidSequences: true, isFinalBlock: true);
            Update(utf8[..written]);
            text = text[read..];
        }
    }

    /// <summary>Feeds the next chunk of the input.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        // Windows that end in this chunk's first four bytes start in earlier chunks: stitch the carried bytes
        // (up to four) to the chunk's first four and process the positions that end in the new bytes.
        int carried = (int)Math.Min(_length, TlshTables.WindowSize - 1);
        int head = Math.Min(data.Length, TlshTables.WindowSize - 1);
        Span<byte> stitch = stackalloc byte[2 * (TlshTables.WindowSize - 1)];
        _carry.AsSpan(0, carried).CopyTo(stitch);
        data[..head].CopyTo(stitch[carried..]);
        Accumulate(stitch[..(carried + head)]);
        Accumulate(data);

        // Keep the last four bytes of everything seen so far.
        int total = carried + head;
        if (data.Length >= TlshTables.WindowSize - 1)
        {
            data[^(TlshTables.WindowSize - 1)..].CopyTo(_carry);
        }
        else
        {
            int keep = Math.Min(total, TlshTables.WindowSize - 1);
            stitch.Slice(total - keep, keep).CopyTo(_carry);
        }

        _length += data.Length;
    }

    /// <summary>
    /// Finishes the digest (or says why there is none, as the reference's empty digest does) and resets the hasher.
    /// </summary>
    public TlshResult Final()
    {
        try
        {
            return Finish();
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Forgets everything fed so far.</summary>
    public void Reset()
    {
        Array.Clear(_buckets);
        _length = 0;
        _checksum = 0;
    }

    private TlshResult Finish()
    {
        if (_length < TlshTables.MinimumLength)
        {
            return Failed(TlshFailure.TooShort, $"too short: {_length} bytes; TLSH needs at least {TlshTables.MinimumLength}");
        }

        var top = TlshTables.LengthCodeTop;
        if (_length > top[^1])
        {
            return Failed(TlshFailure.TooLong, $"too long: {_length} bytes; TLSH's length code ends at {top[^1]}");
        }

        var counts = _buckets.AsSpan(0, TlshTables.Buckets);
        Span<uint> sorted = stackalloc uint[TlshTables.Buckets];
        counts.CopyTo(sorted);
        sorted.Sort();
        uint q1 = sorted[(TlshTables.Buckets / 4) - 1];
        uint q2 = sorted[(TlshTables.Buckets / 2) - 1];
        uint q3 = sorted[TlshTables.Buckets - (TlshTables.Buckets / 4) - 1];
        if (q3 == 0)
        {
            return Failed(TlshFailure.TooUniform, "too uniform: at least three quarters of TLSH's 128 buckets are empty");
        }

        int nonZero = TlshTables.Buckets - sorted.LastIndexOf(0u) - 1;
        if (nonZero <= TlshTables.Buckets / 2)
        {
            return Failed(TlshFailure.TooFewBuckets, $"too little variety: only {nonZero} of TLSH's 128 buckets are used; it needs more than 64");
        }

        Span<byte> code = stackalloc byte[TlshTables.CodeBytes];
        for (int i = 0; i < code.Length; i++)
        {
            int h = 0;
            for (int j = 0; j < 4; j++)
            {
                uint k = counts[(4 * i) + j];
                int quartile = k > q3 ? 3 : k > q2 ? 2 : k > q1 ? 1 : 0;
                h |= quartile << (2 * j);
            }

            code[i] = (byte)h;
        }

        byte lengthCode = (byte)LengthCode(_length);
        int q1Ratio = (int)((ulong)q1 * 100 / q3 % 16);
        int q2Ratio = (int)((ulong)q2 * 100 / q3 % 16);
        return new TlshResult(TlshHash.FromParts(_checksum, lengthCode, q1Ratio, q2Ratio, code), TlshFailure.None, null);
    }

    /// <summary>The smallest length code whose top is at least <paramref name="length"/>.</summary>
    internal static int LengthCode(long length)
    {
        var top = TlshTables.LengthCodeTop;
        int lo = 0, hi = top.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (length <= top[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private static TlshResult Failed(TlshFailure failure, string reason) => new(default, failure, reason);

    /// <summary>
    /// Counts every window that ends at index ≥ 4 of <paramref name="data"/> (windows ending earlier are either
    /// stitched from the previous chunk or, at the very start of the input, not counted at all).
    /// </summary>
    private void Accumulate(ReadOnlySpan<byte> data)
    {
        if (data.Length < TlshTables.WindowSize)
        {
            return;
        }

        ref byte pearson = ref MemoryMarshal.GetReference(TlshTables.Pearson);
        ref uint buckets = ref MemoryMarshal.GetArrayDataReference(_buckets);
        ref byte d = ref MemoryMarshal.GetReference(data);
        uint checksum = _checksum;

        // a0..a3 roll along in registers; a4 is the new byte.
        uint a0 = d, a1 = Unsafe.Add(ref d, 1), a2 = Unsafe.Add(ref d, 2), a3 = Unsafe.Add(ref d, 3);
        for (int p = 4; p < data.Length; p++)
        {
            uint a4 = Unsafe.Add(ref d, p);
            checksum = Mix(ref pearson, 1, a4, a3, checksum);
            Unsafe.Add(ref buckets, Mix(ref pearson, 49, a4, a3, a2))++;
            Unsafe.Add(ref buckets, Mix(ref pearson, 12, a4, a3, a1))++;
            Unsafe.Add(ref buckets, Mix(ref pearson, 178, a4, a2, a1))++;
            Unsafe.Add(ref buckets, Mix(ref pearson, 166, a4, a2, a0))++;
            Unsafe.Add(ref buckets, Mix(ref pearson, 84, a4, a3, a0))++;
            Unsafe.Add(ref buckets, Mix(ref pearson, 230, a4, a1, a0))++;
            a0 = a1;
            a1 = a2;
            a2 = a3;
            a3 = a4;
        }

        _checksum = (byte)checksum;
    }

    /// <summary>Pearson's hash of a salt and three bytes: P[P[P[salt ^ x] ^ y] ^ z].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(ref byte pearson, uint salt, uint x, uint y, uint z) =>
        Unsafe.Add(ref pearson, Unsafe.Add(ref pearson, Unsafe.Add(ref pearson, salt ^ x) ^ y) ^ z);
}
