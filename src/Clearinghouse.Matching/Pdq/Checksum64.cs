using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// A fast non-cryptographic 64-bit checksum (xxHash64's round and avalanche over four lanes) that detects
/// corrupted index files. Input is consumed as little-endian 64-bit words, so every chunk must be a multiple of
/// 8 bytes. It guards against accidents, not adversaries: an index file is trusted local state.
/// </summary>
internal struct Checksum64
{
    private const ulong P1 = 11400714785074694791UL;
    private const ulong P2 = 14029467366897019727UL;
    private const ulong P3 = 1609587929392839161UL;
    private const ulong P4 = 9650029242287828579UL;

    private ulong _a;
    private ulong _b;
    private ulong _c;
    private ulong _d;
    private long _words;

    public static Checksum64 Create() => new() { _a = unchecked(P1 + P2), _b = P2, _c = 0, _d = unchecked(0 - P1) };

    public void Append(ReadOnlySpan<byte> data)
    {
        if ((data.Length & 7) != 0)
        {
            throw new ArgumentException("Checksummed data comes in whole 64-bit words.", nameof(data));
        }

        var words = MemoryMarshal.Cast<byte, ulong>(data);
        int i = 0;

        // Finish a stripe a previous call left open, so the four-lane loop below starts aligned to lane 0.
        while (i < words.Length && (_words & 3) != 0)
        {
            Mix(words[i++]);
        }

        ulong a = _a, b = _b, c = _c, d = _d;
        for (; i + 4 <= words.Length; i += 4)
        {
            a = Round(a, words[i]);
            b = Round(b, words[i + 1]);
            c = Round(c, words[i + 2]);
            d = Round(d, words[i + 3]);
            _words += 4;
        }

        (_a, _b, _c, _d) = (a, b, c, d);
        while (i < words.Length)
        {
            Mix(words[i++]);
        }
    }

    public readonly ulong Final()
    {
        ulong h = BitOperations.RotateLeft(_a, 1) + BitOperations.RotateLeft(_b, 7) + BitOperations.RotateLeft(_c, 12) + BitOperations.RotateLeft(_d, 18);
        h = Merge(h, _a);
        h = Merge(h, _b);
        h = Merge(h, _c);
        h = Merge(h, _d);
        h += (ulong)_words * 8;
        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        h ^= h >> 32;
        return h;
    }

    private void Mix(ulong word)
    {
        switch (_words & 3)
        {
            case 0: _a = Round(_a, word); break;
            case 1: _b = Round(_b, word); break;
            case 2: _c = Round(_c, word); break;
            default: _d = Round(_d, word); break;
        }

        _words++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong acc, ulong input) => BitOperations.RotateLeft(acc + (input * P2), 31) * P1;

    private static ulong Merge(ulong h, ulong lane) => ((h ^ Round(0, lane)) * P1) + P4;
}
