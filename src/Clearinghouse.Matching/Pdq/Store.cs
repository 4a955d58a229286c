using System.Runtime.CompilerServices;
using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// One generation of the index's storage: append-only slots (hash, id, tombstone bit) in fixed-size chunks,
/// the MIH segments over the sealed prefix of the slots, and the writer's id → slot map.
/// </summary>
/// <remarks>
/// <para>Publication protocol (one writer, many readers, no reader locks):</para>
/// <list type="bullet">
/// <item>A slot is written once. The writer fills hash and id, then publishes it by <see cref="Volatile.Write(ref int, int)"/>
/// of <see cref="Count"/>; a reader reads <see cref="Count"/> first (acquire) and only touches slots below it, so it
/// never sees a half-written 32-byte hash.</item>
/// <item>Chunk directories are replaced whole (copy-on-write, a few hundred references) before the count that needs
/// them is published; a chunk itself is never reallocated, so a reader's old directory stays valid.</item>
/// <item><see cref="Segments"/> is an immutable set replaced whole; it only covers slots already published. Readers
/// read it before <see cref="Count"/>, so the tail <c>[Segments.End, Count)</c> they scan is never negative.</item>
/// <item>Removal sets a tombstone bit (an atomic 64-bit store); the slot's data never changes. A reader sees the
/// entry or not, both linearisable. <c>Compact</c> builds a new <see cref="Store"/> and swaps it in; readers that
/// hold the old one finish on it untouched.</item>
/// </list>
/// </remarks>
internal sealed class Store
{
    public Store(int chunkBits)
    {
        ChunkBits = chunkBits;
        Map = new IdMap(this, 0);
    }

    public int ChunkBits { get; }

    public int ChunkSize => 1 << ChunkBits;

    public int ChunkMask => ChunkSize - 1;

    // Fields rather than properties so they can be read and written with Volatile.
#pragma warning disable CA1051 // internal, and Volatile needs a field reference
    public Hash256[][] Hashes = [];
    public long[][] Ids = [];
    public ulong[][] Dead = [];
    public int Count;
    public SegmentSet Segments = SegmentSet.Empty;
#pragma warning restore CA1051

    /// <summary>Writer-only: id → slot of the live entry.</summary>
    public IdMap Map { get; set; }

    /// <summary>Writer-only: number of tombstoned slots.</summary>
    public int DeadCount { get; set; }

    /// <summary>A reader's consistent view: read after <see cref="Count"/>.</summary>
    public StoreView View() =>
        new(Volatile.Read(ref Hashes), Volatile.Read(ref Ids), Volatile.Read(ref Dead), ChunkBits);

    /// <summary>Writer-only: the id stored in <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long IdAt(int slot) => Ids[slot >> ChunkBits][slot & ChunkMask];

    /// <summary>Writer-only: makes sure the chunk holding <paramref name="slot"/> exists (publishing new directories).</summary>
    public void EnsureChunk(int slot)
    {
        int chunk = slot >> ChunkBits;
        if (chunk < Hashes.Length)
        {
            return;
        }

        Volatile.Write(ref Hashes, [.. Hashes, HugePages.Allocate<Hash256>(ChunkSize, collapse: true)]);
        Volatile.Write(ref Ids, [.. Ids, new long[ChunkSize]]);
        Volatile.Write(ref Dead, [.. Dead, new ulong[Math.Max(1, ChunkSize >> 6)]]);
    }

    /// <summary>Allocates the chunks for <paramref name="count"/> slots at once (fresh stores only, before publication).</summary>
    public void AllocateChunks(int count)
    {
        int chunks = (int)(((long)count + ChunkSize - 1) >> ChunkBits);
        var hashes = new Hash256[chunks][];
        var ids = new long[chunks][];
        var dead = new ulong[chunks][];
        for (int c = 0; c < chunks; c++)
        {
            hashes[c] = HugePages.Allocate<Hash256>(ChunkSize, collapse: true);
            ids[c] = new long[ChunkSize];
            dead[c] = new ulong[Math.Max(1, ChunkSize >> 6)];
        }

        (Hashes, Ids, Dead) = (hashes, ids, dead);
    }

    /// <summary>Writer-only: sets the tombstone bit of <paramref name="slot"/>.</summary>
    public void MarkDead(int slot)
    {
        int offset = slot & ChunkMask;
        ref ulong word = ref Dead[slot >> ChunkBits][offset >> 6];
        Volatile.Write(ref word, word | (1UL << (offset & 63)));
        DeadCount++;
    }

    /// <summary>Approximate bytes held by this generation's arrays (ids, hashes, tombstones, map, segments).</summary>
    public long MemoryBytes()
    {
        long chunks = Hashes.Length;
        long bytes = (chunks * ChunkSize * (Unsafe.SizeOf<Hash256>() + sizeof(long))) + (chunks * Math.Max(1, ChunkSize >> 6) * sizeof(ulong));
        bytes += Map.MemoryBytes;
        foreach (var segment in Segments.Segments)
        {
            bytes += segment.MemoryBytes;
        }

        return bytes;
    }
}

/// <summary>The arrays a reader works on, read once at the start of a query.</summary>
internal readonly struct StoreView
{
    private readonly Hash256[][] _hashes;
    private readonly long[][] _ids;
    private readonly ulong[][] _dead;

    public StoreView(Hash256[][] hashes, long[][] ids, ulong[][] dead, int chunkBits)
    {
        _hashes = hashes;
        _ids = ids;
        _dead = dead;
        ChunkBits = chunkBits;
    }

    public int ChunkBits { get; }

    public Hash256[][] Hashes => _hashes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly Hash256 HashAt(int slot) => ref _hashes[slot >> ChunkBits][slot & ((1 << ChunkBits) - 1)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long IdAt(int slot) => _ids[slot >> ChunkBits][slot & ((1 << ChunkBits) - 1)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsDead(int slot)
    {
        int offset = slot & ((1 << ChunkBits) - 1);
        return (Volatile.Read(ref _dead[slot >> ChunkBits][offset >> 6]) & (1UL << (offset & 63))) != 0;
    }

    /// <summary>The longest contiguous run of hashes starting at <paramref name="slot"/>, at most <paramref name="max"/> long.</summary>
    public ReadOnlySpan<Hash256> Run(int slot, int max)
    {
        int offset = slot & ((1 << ChunkBits) - 1);
        return _hashes[slot >> ChunkBits].AsSpan(offset, Math.Min(max, (1 << ChunkBits) - offset));
    }
}

/// <summary>The immutable set of MIH segments covering slots <c>[0, End)</c>, oldest first.</summary>
internal sealed class SegmentSet
{
    public static readonly SegmentSet Empty = new([], 0);

    public SegmentSet(MihSegment[] segments, int end)
    {
        Segments = segments;
        End = end;
    }

    public MihSegment[] Segments { get; }

    public int End { get; }
}

/// <summary>
/// Writer-only id → slot map: open addressing with linear probing over an int table of slot + 1 (0 = empty). The
/// id itself is not stored; it is read back from the slot's id, so the map costs 4 bytes per table entry
/// (≈ 5.3 bytes per id at the 0.75 load it is built with).
/// </summary>
/// <remarks>
/// Growth is incremental: a full table is replaced by one twice the size, and every later operation moves a few
/// entries of the old table across (lookups consult both meanwhile). Rehashing 10 M entries at once stalls the
/// writer for about a second; this way no single add or remove does more than a few dozen probes.
/// </remarks>
internal sealed class IdMap
{
    /// <summary>Old-table positions migrated per operation: the old table (at most 3/4 full of a capacity C) is
    /// empty long before the new one (capacity 2C) fills.</summary>
    private const int MigrationStep = 16;

    /// <summary>A removed entry of the old table during migration (probing continues past it).</summary>
    private const int Deleted = -1;

    private readonly Store _store;
    private int[] _table;
    private int[]? _old;
    private int _cursor;
    private int _count;

    public IdMap(Store store, int expected)
    {
        _store = store;
        _table = new int[CapacityFor(expected)];
    }

    public int Count => _count;

    public long MemoryBytes => ((long)_table.Length + (_old?.Length ?? 0)) * sizeof(int);

    public bool TryGet(long id, out int slot) =>
        Find(_table, id, out _, out slot) || (_old is not null && Find(_old, id, out _, out slot));

    /// <summary>Maps <paramref name="id"/> to <paramref name="slot"/> (whose id must already be written) unless the id is present.</summary>
    public bool TryInsert(long id, int slot)
    {
        if (TryGet(id, out _))
        {
            return false;
        }

        Insert(id, slot);
        return true;
    }

    /// <summary>Maps <paramref name="id"/> (which must not be present) to <paramref name="slot"/>, whose id must already be written.</summary>
    public void Insert(long id, int slot)
    {
        if ((long)(_count + 1) * 4 > (long)_table.Length * 3)
        {
            // Only reached with no migration running: MigrationStep finishes one long before the new table fills.
            FinishMigration();
            _old = _table;
            _cursor = 0;
            _table = new int[CapacityFor(Math.Max(16, _count * 2))];
        }

        InsertNoGrow(_table, id, slot);
        _count++;
        Migrate(MigrationStep);
    }

    public bool Remove(long id, out int slot)
    {
        if (Find(_table, id, out int at, out slot))
        {
            RemoveAt(_table, at);
        }
        else if (_old is not null && Find(_old, id, out at, out slot))
        {
            // No backward shift in the old table: it could move an entry behind the migration cursor.
            _old[at] = Deleted;
        }
        else
        {
            return false;
        }

        _count--;
        Migrate(MigrationStep);
        return true;
    }

    private bool Find(int[] table, long id, out int position, out int slot)
    {
        int cap = table.Length;
        for (int i = Home(id, cap); ; i = i + 1 == cap ? 0 : i + 1)
        {
            int v = table[i];
            if (v == 0)
            {
                (position, slot) = (-1, -1);
                return false;
            }

            if (v > 0 && _store.IdAt(v - 1) == id)
            {
                (position, slot) = (i, v - 1);
                return true;
            }
        }
    }

    /// <summary>Backward-shift deletion keeps every remaining entry reachable from its home without tombstones.</summary>
    private void RemoveAt(int[] table, int i)
    {
        int cap = table.Length;
        int j = i;
        while (true)
        {
            j = j + 1 == cap ? 0 : j + 1;
            int v = table[j];
            if (v == 0)
            {
                break;
            }

            int home = Home(_store.IdAt(v - 1), cap);
            bool movable = j > i ? home <= i || home > j : home <= i && home > j;
            if (movable)
            {
                table[i] = v;
                i = j;
            }
        }

        table[i] = 0;
    }

    private void Migrate(int positions)
    {
        if (_old is null)
        {
            return;
        }

        int end = Math.Min(_old.Length, _cursor + positions);
        for (; _cursor < end; _cursor++)
        {
            int v = _old[_cursor];
            if (v > 0)
            {
                InsertNoGrow(_table, _store.IdAt(v - 1), v - 1);

                // Moved, not copied (a later removal from the new table must not resurrect it here); Deleted
                // rather than empty keeps the probe chains of entries still waiting intact.
                _old[_cursor] = Deleted;
            }
        }

        if (_cursor == _old.Length)
        {
            _old = null;
        }
    }

    private void FinishMigration()
    {
        if (_old is not null)
        {
            Migrate(_old.Length);
        }
    }

    private static void InsertNoGrow(int[] table, long id, int slot)
    {
        int cap = table.Length;
        int i = Home(id, cap);
        while (table[i] != 0)
        {
            i = i + 1 == cap ? 0 : i + 1;
        }

        table[i] = slot + 1;
    }

    private static int CapacityFor(int expected) => (int)Math.Max(16, Math.Min(Array.MaxLength, ((long)expected * 4 / 3) + 1));

    /// <summary>Fibonacci hashing, then a multiply-shift onto [0, cap) so the capacity need not be a power of two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Home(long id, int cap)
    {
        ulong h = (ulong)id * 0x9E3779B97F4A7C15UL;
        h ^= h >> 29;
        return (int)(((h >> 32) * (ulong)cap) >> 32);
    }
}
