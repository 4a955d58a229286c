using System.Diagnostics;
using System.Diagnostics.Metrics;
using Clearinghouse.Server.Matching;

namespace Clearinghouse.Server.Telemetry;

/// <summary>
/// The node's own instruments (meter <c>Clearinghouse.Node</c>), exported at /metrics with ASP.NET Core's request
/// metrics: lookups by signal type and outcome, lookup latency, signals indexed per type, the change-feed position
/// and how long ago the feed was last read.
/// </summary>
internal sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "Clearinghouse.Node";

    private readonly Meter _meter;
    private readonly Counter<long> _lookups;
    private readonly Histogram<double> _lookupSeconds;

    public NodeMetrics(NodeIndex index)
    {
        _meter = new Meter(MeterName);
        _lookups = _meter.CreateCounter<long>("clearinghouse.lookups", unit: "{lookup}", description: "Values looked up in the indexes, by signal type and outcome (match, no_match, suppressed).");
        _lookupSeconds = _meter.CreateHistogram(
            "clearinghouse.lookup.duration",
            unit: "s",
            description: "Time to look a value up in the index and filter the matches (no store I/O), by signal type.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1] });
        _meter.CreateObservableGauge(
            "clearinghouse.index.signals",
            () => index.Types.All.Select(t => new Measurement<long>(index.CountOf(t.Name), new KeyValuePair<string, object?>("signal_type", t.Name))),
            unit: "{signal}",
            description: "Signals in each type's in-memory index.");
        _meter.CreateObservableGauge("clearinghouse.index.position", () => index.Position, description: "Change-feed position the indexes have applied.");
        _meter.CreateObservableGauge(
            "clearinghouse.index.sync_age",
            () => index.LastSyncTicks == 0 ? double.NaN : (Environment.TickCount64 - index.LastSyncTicks) / 1000.0,
            unit: "s",
            description: "Seconds since the change feed was last read successfully.");
        _meter.CreateObservableGauge("clearinghouse.index.ready", () => index.IsReady ? 1 : 0, description: "1 once the start-up load has finished.");
    }

    public void RecordLookup(string signalType, LookupHits hits, long startTimestamp)
    {
        string outcome = hits.Suppressed ? "suppressed" : hits.Positives.Length > 0 ? "match" : "no_match";
        var type = new KeyValuePair<string, object?>("signal_type", signalType);
        _lookups.Add(1, type, new KeyValuePair<string, object?>("outcome", outcome));
        _lookupSeconds.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, type);
    }

    public void Dispose() => _meter.Dispose();
}
