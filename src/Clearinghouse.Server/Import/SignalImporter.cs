using Clearinghouse.Storage;

namespace Clearinghouse.Server.Import;

/// <summary>
/// A parsed import checked against its bank: the signals that may be written and every refused line (parse
/// errors plus lines missing a designation the bank's category requires), sorted by line.
/// </summary>
public sealed record ImportPlan(Bank Bank, IReadOnlyList<ParsedSignal> Signals, List<LineRejection> Rejections, int Lines);

/// <summary>What writing an import did: signals added and the lines refused (including duplicates of stored signals).</summary>
public sealed record ImportOutcome(int Added, List<LineRejection> Rejections);

/// <summary>
/// The write side of a bulk import, shared by the node's import route and <c>clearinghouse import</c>: checks a
/// parsed import against the bank's category before anything is written, then adds the signals in batches (each
/// batch one store transaction) and reports duplicates of stored signals per line.
/// </summary>
public sealed class SignalImporter(IClearinghouseStore store)
{
    /// <summary>Adds the bank-level checks (designation required by the category) to a parse.</summary>
    public async Task<ImportPlan> PlanAsync(Bank bank, ParsedImport parsed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(parsed);
        var rejections = parsed.Rejections.ToList();
        IReadOnlyList<ParsedSignal> signals = parsed.Signals;
        if (await RequiresDesignationAsync(bank, cancellationToken).ConfigureAwait(false))
        {
            // Checked before writing, so a strict import missing designations writes nothing.
            signals = [.. parsed.Signals.Where(p => p.Signal.Designation is not null)];
            foreach (var missing in parsed.Signals.Where(p => p.Signal.Designation is null))
            {
                rejections.Add(DesignationRequired(bank, missing.Line));
            }
        }

        rejections.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new ImportPlan(bank, signals, rejections, parsed.Lines);
    }

    /// <summary>
    /// Writes <paramref name="plan"/>'s signals, <paramref name="batchSize"/> per store transaction, calling
    /// <paramref name="written"/> with the count written so far after each batch. A store failure throws
    /// <see cref="ImportWriteException"/> saying how many signals the earlier (committed) batches added.
    /// </summary>
    /// <remarks>
    /// The signals are written in (type, value) order, not file order: each batch then covers one contiguous range
    /// of the store's unique (bank, type, value) index, so a large import extends that index range by range instead
    /// of touching a random page of it for every row (several times faster at a million signals).
    /// </remarks>
    public async Task<ImportOutcome> WriteAsync(ImportPlan plan, long contributorMemberId, int batchSize = int.MaxValue, Action<int>? written = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var writer = CreateWriter(plan.Bank, contributorMemberId, Math.Min(batchSize, Math.Max(1, plan.Signals.Count)), written);
        foreach (var signal in InKeyOrder(plan.Signals))
        {
            await writer.AddAsync(signal, cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        var rejections = new List<LineRejection>(plan.Rejections);
        rejections.AddRange(writer.Rejections);
        rejections.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new ImportOutcome(writer.Added, rejections);
    }

    /// <summary>
    /// A writer that adds signals to <paramref name="bank"/> as they come, <paramref name="batchSize"/> per store
    /// transaction (each batch sorted by key first), for imports streamed from a file too large to hold.
    /// </summary>
    public ImportWriter CreateWriter(Bank bank, long contributorMemberId, int batchSize, Action<int>? written = null)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new ImportWriter(store, bank, contributorMemberId, batchSize, written);
    }

    /// <summary>Whether the bank's category requires every signal to carry a designation reference.</summary>
    public async Task<bool> RequiresDesignationAsync(Bank bank, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        var taxonomy = await store.GetTaxonomyAsync(cancellationToken).ConfigureAwait(false);
        return taxonomy?.Categories.FirstOrDefault(c => c.Id == bank.Category)?.RequiresDesignation ?? false;
    }

    /// <summary>The rejection of a line without the designation its bank's category requires.</summary>
    public static LineRejection DesignationRequired(Bank bank, int line)
    {
        ArgumentNullException.ThrowIfNull(bank);
        return new(line, RejectionCodes.DesignationRequired, $"category '{bank.Category}' requires a designation reference (give designation= or a designation column)");
    }

    /// <summary>
    /// The signals in (type, value) ordinal order, equal keys in file order. Sorted as arrays of keys rather than
    /// with a comparison over the records, which chased two references per compare and cost more than the writing.
    /// </summary>
    private static ParsedSignal[] InKeyOrder(IReadOnlyList<ParsedSignal> signals)
    {
        var types = new string[signals.Count];
        var values = new string[signals.Count];
        var order = new int[signals.Count];
        for (int i = 0; i < signals.Count; i++)
        {
            types[i] = signals[i].Signal.SignalType;
            values[i] = signals[i].Signal.Value;
            order[i] = i;
        }

        // Stable: ties (a value twice in a file) keep file order, so the first occurrence is the one added.
        Array.Sort(order, (a, b) =>
        {
            int byType = string.CompareOrdinal(types[a], types[b]);
            if (byType != 0)
            {
                return byType;
            }

            int byValue = string.CompareOrdinal(values[a], values[b]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        });
        var ordered = new ParsedSignal[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            ordered[i] = signals[order[i]];
        }

        return ordered;
    }
}

/// <summary>
/// Adds parsed signals to one bank in batches, each one store transaction written in (type, value) order; collects
/// the lines refused as duplicates of stored signals. Not thread-safe.
/// </summary>
public sealed class ImportWriter
{
    private readonly IClearinghouseStore _store;
    private readonly Bank _bank;
    private readonly long _contributor;
    private readonly Action<int>? _written;
    private readonly ParsedSignal[] _pending;
    private readonly NewSignal[] _batch;
    private int _count;

    internal ImportWriter(IClearinghouseStore store, Bank bank, long contributor, int batchSize, Action<int>? written)
    {
        _store = store;
        _bank = bank;
        _contributor = contributor;
        _written = written;
        _pending = new ParsedSignal[batchSize];
        _batch = new NewSignal[batchSize];
    }

    /// <summary>Signals added so far.</summary>
    public int Added { get; private set; }

    /// <summary>Signals handed to the store so far (added or refused as duplicates).</summary>
    public int Written { get; private set; }

    /// <summary>Lines refused by the store (duplicates of live signals), in the order met.</summary>
    public List<LineRejection> Rejections { get; } = [];

    /// <summary>Queues a signal; writes the batch when it is full.</summary>
    public async ValueTask AddAsync(ParsedSignal signal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signal);
        _pending[_count++] = signal;
        if (_count == _pending.Length)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the queued signals, if any, as one transaction.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_count == 0)
        {
            return;
        }

        var pending = _pending.AsSpan(0, _count);
        if (!IsSorted(pending))
        {
            pending.Sort(CompareKeys);
        }

        for (int i = 0; i < pending.Length; i++)
        {
            _batch[i] = pending[i].Signal;
        }

        IReadOnlyList<AddSignalResult> results;
        try
        {
            results = await _store.AddSignalsAsync(_bank.Id, _contributor, new ArraySegment<NewSignal>(_batch, 0, _count), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Written > 0 && ex is not OperationCanceledException)
        {
            throw new ImportWriteException(Added, ex);
        }

        for (int i = 0; i < results.Count; i++)
        {
            int line = _pending[i].Line;
            switch (results[i].Rejection)
            {
                case SignalRejection.None:
                    Added++;
                    break;
                case SignalRejection.Duplicate:
                    Rejections.Add(new LineRejection(line, RejectionCodes.Duplicate, $"already in bank '{_bank.Name}' as signal {results[i].SignalId}", results[i].SignalId));
                    break;
                default:
                    Rejections.Add(SignalImporter.DesignationRequired(_bank, line));
                    break;
            }
        }

        Written += _count;
        Array.Clear(_pending, 0, _count);
        Array.Clear(_batch, 0, _count);
        _count = 0;
        _written?.Invoke(Written);
    }

    private static bool IsSorted(ReadOnlySpan<ParsedSignal> signals)
    {
        for (int i = 1; i < signals.Length; i++)
        {
            if (CompareKeys(signals[i - 1], signals[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int CompareKeys(ParsedSignal a, ParsedSignal b)
    {
        int byType = string.CompareOrdinal(a.Signal.SignalType, b.Signal.SignalType);
        if (byType != 0)
        {
            return byType;
        }

        int byValue = string.CompareOrdinal(a.Signal.Value, b.Signal.Value);
        return byValue != 0 ? byValue : a.Line.CompareTo(b.Line);
    }
}

/// <summary>A batched import failed part-way: the batches before the failure were committed.</summary>
public sealed class ImportWriteException : Exception
{
    public ImportWriteException(int added, Exception innerException)
        : base($"the store failed part-way: {innerException?.Message}; {added} signals from the batches before the failure were imported (rerunning the import skips them as duplicates)", innerException)
    {
        Added = added;
    }

    public ImportWriteException()
    {
    }

    public ImportWriteException(string message)
        : base(message)
    {
    }

    public ImportWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Signals added by the committed batches.</summary>
    public int Added { get; }
}
