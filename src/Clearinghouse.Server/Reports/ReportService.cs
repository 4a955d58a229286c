using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Reports;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Reports;

/// <summary>Computes the transparency report from the log's entries alone (as an auditor would), cached per tree size.</summary>
internal sealed class ReportService(IClearinghouseStore store) : IDisposable
{
    private const int Page = SqlStore.MaxLogEntriesPerRead;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private TransparencyReport? _cached;

    public void Dispose() => _gate.Dispose();

    /// <summary>The report over the first <paramref name="size"/> entries (the whole log when null).</summary>
    public async Task<TransparencyReport> ComputeAsync(long? size, CancellationToken cancellationToken)
    {
        LogHead head = await store.GetLogHeadAsync(cancellationToken).ConfigureAwait(false);
        long end = size ?? head.Size;
        if (end < 0 || end > head.Size)
        {
            throw new StoreException(StoreError.Invalid, $"size {end} is not between 0 and the log's size {head.Size}");
        }

        if (_cached is { } hit && hit.TreeSize == end)
        {
            return hit;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var builder = new TransparencyReportBuilder();
            for (long start = 0; start < end; start += Page)
            {
                foreach (LogRecord record in await store.ReadLogEntriesAsync(start, Math.Min(end, start + Page), cancellationToken).ConfigureAwait(false))
                {
                    builder.Add(LogEntry.Parse(record.Body));
                }
            }

            TransparencyReport report = builder.Build();
            _cached = report;
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }
}
