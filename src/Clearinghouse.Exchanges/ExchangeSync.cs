using Clearinghouse.Exchanges.Http;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges;

/// <summary>Where a sync stands, after each applied page.</summary>
public readonly record struct SyncProgress(int Pages, long Records, int Added, int Withdrawn);

/// <summary>What a sync (or a file import) did.</summary>
public sealed class SyncReport
{
    /// <summary>At most this many problems and conflicts are kept (the counts are exact).</summary>
    public const int MaxListed = 1000;

    public int Pages { get; internal set; }

    public long Records { get; internal set; }

    public int Added { get; internal set; }

    public int Relabelled { get; internal set; }

    public int Withdrawn { get; internal set; }

    public int Unchanged { get; internal set; }

    /// <summary>Whether everything was fetched (first sync, a stale checkpoint, a file read in full).</summary>
    public bool FullFetch { get; internal set; }

    /// <summary>Why the stored checkpoint was dropped for a full fetch, when it was.</summary>
    public string? StaleCheckpoint { get; internal set; }

    public string? Checkpoint { get; internal set; }

    public int ProblemCount { get; internal set; }

    public int ConflictCount { get; internal set; }

    public List<RecordProblem> Problems { get; } = [];

    public List<ExchangeConflict> Conflicts { get; } = [];

    internal void Add(MappedPage mapped, ExchangeApplyResult applied)
    {
        Pages++;
        Records += mapped.Records.Count + mapped.Problems.Count;
        Added += applied.Added;
        Relabelled += applied.Relabelled;
        Withdrawn += applied.Withdrawn;
        Unchanged += applied.Unchanged;
        ProblemCount += mapped.Problems.Count;
        ConflictCount += applied.Conflicts.Count;
        Problems.AddRange(mapped.Problems.Take(MaxListed - Problems.Count));
        Conflicts.AddRange(applied.Conflicts.Take(MaxListed - Conflicts.Count));
    }
}

/// <summary>
/// Runs an exchange: fetches its pages from the stored checkpoint, maps each onto this node and applies it with
/// the page's checkpoint in one store transaction, in order. A stale or refused checkpoint starts a full fetch
/// (after which what the program no longer lists is withdrawn). A page that is not in the program's format stops
/// the sync with that page unapplied (the error is stored for <c>exchange list</c>); a corrupt record is skipped and
/// reported, never stopping the sync.
/// </summary>
public sealed class ExchangeSync(IExchangeStore store, ExchangeMapper mapper)
{
    /// <summary>Syncs <paramref name="exchange"/> from <paramref name="source"/>.</summary>
    public async Task<SyncReport> RunAsync(Exchange exchange, IExchangeSource source, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(source);
        var report = new SyncReport();
        try
        {
            string? checkpoint = source.AlwaysFull ? null : exchange.Checkpoint;
            try
            {
                await ApplyAsync(exchange.Id, source.FetchAsync(checkpoint, cancellationToken), full: checkpoint is null, report, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (StaleCheckpointException stale) when (checkpoint is not null)
            {
                report.StaleCheckpoint = stale.Message;
                await ApplyAsync(exchange.Id, source.FetchAsync(null, cancellationToken), full: true, report, progress, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ExchangeFormatException or ExchangeAuthException or ExchangeUnavailableException or StaleCheckpointException or FormatException)
        {
            await store.RecordExchangeErrorAsync(exchange.Id, ex.Message, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return report;
    }

    /// <summary>Applies pages already read (a file import): <paramref name="full"/> withdraws, at the end, what they did not list.</summary>
    public async Task<SyncReport> ApplyAsync(Exchange exchange, IAsyncEnumerable<ProgramPage> pages, bool full, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var report = new SyncReport();
        await ApplyAsync(exchange.Id, pages, full, report, progress, cancellationToken).ConfigureAwait(false);
        return report;
    }

    private async Task ApplyAsync(long exchangeId, IAsyncEnumerable<ProgramPage> pages, bool full, SyncReport report, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        report.FullFetch = full;
        bool first = true;
        await foreach (ProgramPage page in pages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            MappedPage mapped = mapper.Map(page);

            // During a full fetch only its last page moves the checkpoint: one cut short starts over, and the
            // withdrawal of what it no longer lists happens only once it has seen everything.
            string? checkpoint = full && page.More ? null : page.Checkpoint;
            ExchangeApplyResult applied = await store.ApplyExchangeBatchAsync(
                exchangeId, new ExchangeBatch(mapped.Records, checkpoint, StartsFullFetch: full && first, EndsFullFetch: full && !page.More), cancellationToken).ConfigureAwait(false);
            report.Add(mapped, applied);
            report.Checkpoint = checkpoint ?? report.Checkpoint;
            first = false;
            progress?.Report(new SyncProgress(report.Pages, report.Records, report.Added, report.Withdrawn));
        }
    }
}
