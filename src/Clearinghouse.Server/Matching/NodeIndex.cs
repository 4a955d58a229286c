using System.Collections.Frozen;
using Clearinghouse.Matching;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Matching;

/// <summary>One matching signal after filtering: the signal, its bank and the distance.</summary>
internal readonly record struct Hit(long SignalId, Bank Bank, int Distance);

/// <summary>The signals a lookup matched, split into positive matches and matches in negative (known-benign) banks.</summary>
internal sealed class LookupHits(Hit[] positives, Hit[] negatives)
{
    public static LookupHits None { get; } = new([], []);

    public Hit[] Positives { get; } = positives;

    /// <summary>Matches in negative banks; when there is any, the positives are suppressed.</summary>
    public Hit[] Negatives { get; } = negatives;

    public bool IsEmpty => Positives.Length == 0 && Negatives.Length == 0;

    public bool Suppressed => Negatives.Length > 0;
}

/// <summary>
/// The node's in-memory matching state: one index per signal type (from the registry, whatever types it holds),
/// the bank of every indexed signal and the live banks. Written only by the change-feed follower; read by any
/// number of requests without locks. A lookup that matches nothing touches no store.
/// </summary>
internal sealed class NodeIndex
{
    [ThreadStatic]
    private static List<IndexMatch>? t_scratch;

    private readonly FrozenDictionary<string, ISignalIndex<string>> _indexes;
    private readonly SignalBankTable _signalBanks = new();
    private BankTable _banks = BankTable.Empty;
    private long _position;
    private long _lastSyncTicks;
    private long _lastSyncUnixSeconds;
    private volatile bool _ready;

    public NodeIndex(SignalTypeRegistry types)
    {
        Types = types;
        _indexes = types.All.ToFrozenDictionary(t => t.Name, t => t.CreateIndex(), StringComparer.Ordinal);
    }

    public SignalTypeRegistry Types { get; }

    /// <summary>The current bank table.</summary>
    public BankTable Banks => Volatile.Read(ref _banks);

    /// <summary>The change-feed position applied so far.</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>Whether the start-up load has finished.</summary>
    public bool IsReady => _ready;

    /// <summary><see cref="Environment.TickCount64"/> of the last successful read of the change feed (0: never).</summary>
    public long LastSyncTicks => Volatile.Read(ref _lastSyncTicks);

    /// <summary>Unix time of the last successful read of the change feed (0: never).</summary>
    public long LastSyncUnixSeconds => Volatile.Read(ref _lastSyncUnixSeconds);

    /// <summary>Signals of each type that currently match.</summary>
    public int CountOf(string signalType) => _indexes.TryGetValue(signalType, out var index) ? index.Count : 0;

    /// <summary>
    /// The signals within threshold of <paramref name="canonicalValue"/> in banks <paramref name="view"/> allows,
    /// that are enabled and (when <paramref name="bankNames"/> is given) named there. Negative banks are reported
    /// whatever the bank filter: known-benign content is benign for every bank.
    /// </summary>
    public LookupHits Lookup(MemberView view, ISignalType type, string canonicalValue, IReadOnlySet<string>? bankNames)
    {
        int radius = view.QueryRadius(type.Name);
        if (radius < 0 || !_indexes.TryGetValue(type.Name, out var index))
        {
            return LookupHits.None;
        }

        var scratch = t_scratch ??= new List<IndexMatch>();
        scratch.Clear();
        index.Query(canonicalValue, radius, scratch);
        if (scratch.Count == 0)
        {
            return LookupHits.None;
        }

        List<Hit>? positives = null;
        List<Hit>? negatives = null;
        var banks = view.Banks.ById;
        foreach (var match in scratch)
        {
            int bankId = _signalBanks.Get(match.Id);
            if (bankId == 0 || !view.Visible.Contains(bankId) || !banks.TryGetValue(bankId, out var bank) || !bank.Enabled)
            {
                continue;
            }

            if (match.Distance > BankTable.ThresholdOf(bank, type))
            {
                continue;
            }

            if (bank.Negative)
            {
                (negatives ??= []).Add(new Hit(match.Id, bank, match.Distance));
            }
            else if (bankNames is null || bankNames.Contains(bank.Name))
            {
                (positives ??= []).Add(new Hit(match.Id, bank, match.Distance));
            }
        }

        scratch.Clear();
        if (positives is null && negatives is null)
        {
            return LookupHits.None;
        }

        return new LookupHits(Sorted(positives), Sorted(negatives));
    }

    // --- writer side (the change-feed follower only) -------------------------------------------------------------

    internal void ApplyBanks(IReadOnlyCollection<Bank> banks)
    {
        if (banks.Count > 0)
        {
            Volatile.Write(ref _banks, _banks.With(banks));
        }
    }

    /// <summary>Whether the signal's bank is known (live) to the table; the follower fetches unknown banks first.</summary>
    internal bool KnowsBank(long bankId) => _banks.ById.ContainsKey(bankId);

    /// <summary>Brings one signal's state into the index: live signals in live banks match, all others do not.</summary>
    /// <exception cref="FormatException">The stored value is not valid for its type.</exception>
    internal SignalApplyResult ApplySignal(Signal signal)
    {
        if (!_indexes.TryGetValue(signal.SignalType, out var index))
        {
            return SignalApplyResult.UnknownType;
        }

        bool live = signal.Status != SignalStatus.Withdrawn && _banks.ById.ContainsKey(signal.BankId);
        bool indexed = _signalBanks.Get(signal.Id) != 0;
        if (live && !indexed)
        {
            if (signal.BankId > int.MaxValue)
            {
                throw new InvalidOperationException($"Bank id {signal.BankId} is beyond the matcher's table (2^31).");
            }

            // Bank first, index second: a reader that finds the id in the index always finds its bank.
            _signalBanks.Set(signal.Id, (int)signal.BankId);
            try
            {
                index.Add(signal.Id, signal.Value);
            }
            catch
            {
                _signalBanks.Clear(signal.Id);
                throw;
            }

            return SignalApplyResult.Added;
        }

        if (!live && indexed)
        {
            index.Remove(signal.Id);
            _signalBanks.Clear(signal.Id);
            return SignalApplyResult.Removed;
        }

        // Values never change; a status change between active and disputed needs nothing here.
        return SignalApplyResult.Unchanged;
    }

    internal void MarkSynced(long position)
    {
        Volatile.Write(ref _position, position);
        Volatile.Write(ref _lastSyncTicks, Environment.TickCount64);
        Volatile.Write(ref _lastSyncUnixSeconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    internal void MarkReady() => _ready = true;

    /// <summary>Opens a bulk load on every type's index (see <see cref="ISignalIndex.BeginBulkLoad"/>): for the start-up load.</summary>
    internal IDisposable BeginBulkLoad()
    {
        var scopes = new List<IDisposable>(_indexes.Count);
        foreach (var index in _indexes.Values)
        {
            scopes.Add(index.BeginBulkLoad());
        }

        return new BulkLoadScope(() => scopes.ForEach(scope => scope.Dispose()));
    }

    private static Hit[] Sorted(List<Hit>? hits)
    {
        if (hits is null)
        {
            return [];
        }

        var array = hits.ToArray();
        Array.Sort(array, static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.SignalId.CompareTo(b.SignalId));
        return array;
    }
}

internal enum SignalApplyResult
{
    Unchanged,
    Added,
    Removed,
    UnknownType,
}
