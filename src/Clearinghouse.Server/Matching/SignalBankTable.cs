namespace Clearinghouse.Server.Matching;

/// <summary>
/// Which bank each indexed signal belongs to, so a lookup can filter matches by visibility, enablement and
/// threshold without asking the store. Signal ids are dense (store sequences), so a table indexed by id costs
/// 4 bytes per id — a tenth of a dictionary entry at 10 M signals.
/// </summary>
/// <remarks>
/// One writer (the change-feed follower), any number of lock-free readers. Chunks are allocated as ids reach
/// them; the chunk directory is replaced whole when it grows, so a reader sees either the old or the new one.
/// An int write is atomic, so a reader sees a bank id or 0 (none), never a torn value.
/// </remarks>
internal sealed class SignalBankTable
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private int[]?[] _chunks = new int[]?[16];

    /// <summary>The bank of <paramref name="signalId"/>, or 0 when it is not indexed.</summary>
    public int Get(long signalId)
    {
        var chunks = Volatile.Read(ref _chunks);
        long chunk = signalId >> ChunkBits;
        if ((ulong)chunk >= (ulong)chunks.Length)
        {
            return 0;
        }

        var values = chunks[chunk];
        return values is null ? 0 : Volatile.Read(ref values[signalId & ChunkMask]);
    }

    /// <summary>Records the bank of a signal (writer only).</summary>
    public void Set(long signalId, int bankId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(signalId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bankId);
        long chunk = signalId >> ChunkBits;
        var chunks = _chunks;
        if (chunk >= chunks.Length)
        {
            long length = Math.Max(chunks.Length * 2L, chunk + 1);
            var grown = new int[]?[length];
            chunks.CopyTo(grown, 0);
            Volatile.Write(ref _chunks, grown);
            chunks = grown;
        }

        var values = chunks[chunk];
        if (values is null)
        {
            values = new int[ChunkSize];
            Volatile.Write(ref chunks[chunk], values);
        }

        Volatile.Write(ref values[signalId & ChunkMask], bankId);
    }

    /// <summary>Forgets a signal (writer only).</summary>
    public void Clear(long signalId)
    {
        var chunks = _chunks;
        long chunk = signalId >> ChunkBits;
        if ((ulong)chunk < (ulong)chunks.Length && chunks[chunk] is { } values)
        {
            Volatile.Write(ref values[signalId & ChunkMask], 0);
        }
    }
}
