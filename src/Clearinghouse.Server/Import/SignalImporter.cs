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
    /// <summary>Adds the bank-level checks (designation required by the category, designations on the lists the node holds) to a parse.</summary>
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

        // References to a designation list the node holds must name an entry on it.
        var problems = await new DesignationCheck(store).ProblemsAsync(signals.Select(p => p.Signal.Designation), cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            foreach (var unknown in signals.Where(p => p.Signal.Designation is { } d && problems.ContainsKey(d)))
            {
                rejections.Add(new LineRejection(unknown.Line, RejectionCodes.UnknownDesignation, problems[unknown.Signal.Designation!]));
            }

            signals = [.. signals.Where(p => p.Signal.Designation is not { } d || !problems.ContainsKey(d))];
        }

        rejections.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new ImportPlan(bank, signals, rejections, parsed.Lines);
    }

    /// <summary>
    /// Writes <paramref name="plan"/>'s signals, <paramref name="batchSize"/> per store transaction, calling
    /// <paramref name="written"/> with the count written so far after each batch. A store failure throws
    /// <see cref="ImportWriteException"/> saying how many signals the earlier (committed) batches added.
    /// </summary>
    public async Task<ImportOutcome> WriteAsync(ImportPlan plan, long contributorMemberId, int batchSize = int.MaxValue, Action<int>? written = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var rejections = new List<LineRejection>(plan.Rejections);
        int added = 0;
        int total = plan.Signals.Count;
        var batch = new NewSignal[Math.Min(batchSize, total)];
        for (int start = 0; start < total; start += batch.Length)
        {
            int count = Math.Min(batch.Length, total - start);
            if (count != batch.Length)
            {
                batch = new NewSignal[count];
            }

            for (int i = 0; i < count; i++)
            {
                batch[i] = plan.Signals[start + i].Signal;
            }

            IReadOnlyList<AddSignalResult> results;
            try
            {
                results = await store.AddSignalsAsync(plan.Bank.Id, contributorMemberId, batch, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (start > 0 && ex is not OperationCanceledException)
            {
                throw new ImportWriteException(added, plan.Signals[start].Line, ex);
            }

            for (int i = 0; i < results.Count; i++)
            {
                int line = plan.Signals[start + i].Line;
                switch (results[i].Rejection)
                {
                    case SignalRejection.None:
                        added++;
                        break;
                    case SignalRejection.Duplicate:
                        rejections.Add(new LineRejection(line, RejectionCodes.Duplicate, $"already in bank '{plan.Bank.Name}' as signal {results[i].SignalId}", results[i].SignalId));
                        break;
                    default:
                        rejections.Add(DesignationRequired(plan.Bank, line));
                        break;
                }
            }

            written?.Invoke(start + count);
        }

        rejections.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new ImportOutcome(added, rejections);
    }

    private async Task<bool> RequiresDesignationAsync(Bank bank, CancellationToken cancellationToken)
    {
        var taxonomy = await store.GetTaxonomyAsync(cancellationToken).ConfigureAwait(false);
        return taxonomy?.Categories.FirstOrDefault(c => c.Id == bank.Category)?.RequiresDesignation ?? false;
    }

    private static LineRejection DesignationRequired(Bank bank, int line) =>
        new(line, RejectionCodes.DesignationRequired, $"category '{bank.Category}' requires a designation reference (give designation= or a designation column)");
}

/// <summary>A batched import failed part-way: the batches before the failure were committed.</summary>
public sealed class ImportWriteException : Exception
{
    public ImportWriteException(int added, int failedAtLine, Exception innerException)
        : base($"the store failed while writing the batch starting at line {failedAtLine}: {innerException?.Message}; the {added} signals of the lines before it were imported (rerunning the import skips them as duplicates)", innerException)
    {
        Added = added;
        FailedAtLine = failedAtLine;
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

    /// <summary>The first line of the batch that failed.</summary>
    public int FailedAtLine { get; }
}
