using System.Globalization;
using Clearinghouse.Ledger.Entries;

namespace Clearinghouse.Ledger.Reports;

/// <summary>Signals added and withdrawn in one period under one key (a category, a designation list or a member).</summary>
public sealed record SignalCount(string Period, string Key, long Added, long Withdrawn);

/// <summary>Disputes filed and resolved in one period.</summary>
public sealed record DisputeCount(string Period, long Filed, long Upheld, long Rejected);

/// <summary>How much members disagree about one bank's signals: of the signals with opinions, how many have both a
/// positive and a negative one (each member's latest opinion counts).</summary>
public sealed record BankDisagreement(string Bank, long SignalsWithOpinions, long SignalsWithMixedOpinions, double DisagreementRate);

/// <summary>
/// The public transparency report, computed from log entries alone (so anyone holding the log recomputes exactly the
/// same numbers): signals added and withdrawn per month by category, by designation list (the part of a designation
/// before ':', e.g. <c>un</c>) and by member; disputes filed, upheld and rejected per month with the median time to
/// resolution; and the opinion disagreement rate per bank.
/// </summary>
public sealed record TransparencyReport(
    long TreeSize,
    IReadOnlyList<SignalCount> ByCategory,
    IReadOnlyList<SignalCount> ByDesignationList,
    IReadOnlyList<SignalCount> ByMember,
    IReadOnlyList<DisputeCount> Disputes,
    double? MedianSecondsToResolution,
    long OpenDisputes,
    IReadOnlyList<BankDisagreement> Disagreement);

/// <summary>Builds a <see cref="TransparencyReport"/> from entries fed in log order.</summary>
public sealed class TransparencyReportBuilder
{
    /// <summary>The key used for signals without a designation.</summary>
    public const string NoDesignation = "(none)";

    private readonly Dictionary<string, SignalFacts> _signals = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Period, string Key), long[]> _byCategory = new(OrdinalPairs.Instance);
    private readonly SortedDictionary<(string Period, string Key), long[]> _byDesignation = new(OrdinalPairs.Instance);
    private readonly SortedDictionary<(string Period, string Key), long[]> _byMember = new(OrdinalPairs.Instance);
    private readonly SortedDictionary<string, long[]> _disputes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _openDisputes = new(StringComparer.Ordinal);
    private readonly List<double> _resolutionSeconds = [];
    private readonly Dictionary<(string Signal, string Member), string> _opinions = [];
    private long _entries;

    /// <summary>Adds the next entry (entries must come in log order).</summary>
    public void Add(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries++;
        string period = entry.Time.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        switch (entry)
        {
            case SignalAdded added:
                var facts = new SignalFacts(added.Category, DesignationList(added.Designation), added.Member, added.Bank);
                _signals[added.PublicId] = facts;
                Count(period, facts, 0);
                break;
            case SignalWithdrawn withdrawn when _signals.TryGetValue(withdrawn.PublicId, out SignalFacts? known):
                Count(period, known, 1);
                break;
            case SignalRecategorised moved when _signals.TryGetValue(moved.PublicId, out SignalFacts? before):
                _signals[moved.PublicId] = before with { Category = moved.Category, DesignationList = DesignationList(moved.Designation) };
                break;
            case OpinionRecorded opinion:
                _opinions[(opinion.PublicId, opinion.Member)] = opinion.Opinion;
                break;
            case DisputeFiled filed:
                Bump(_disputes, period, 0);
                _openDisputes[filed.DisputeId] = filed.Time;
                break;
            case DisputeResolved resolved:
                Bump(_disputes, period, resolved.Outcome == "upheld" ? 1 : 2);
                if (_openDisputes.Remove(resolved.DisputeId, out DateTimeOffset filedAt))
                {
                    _resolutionSeconds.Add((resolved.Time - filedAt).TotalSeconds);
                }

                break;
        }
    }

    /// <summary>The report over the entries added so far.</summary>
    public TransparencyReport Build()
    {
        return new TransparencyReport(
            _entries,
            Rows(_byCategory),
            Rows(_byDesignation),
            Rows(_byMember),
            [.. _disputes.Select(d => new DisputeCount(d.Key, d.Value[0], d.Value[1], d.Value[2]))],
            Median(_resolutionSeconds),
            _openDisputes.Count,
            Disagreement());
    }

    private static string DesignationList(string? designation)
    {
        if (designation is null)
        {
            return NoDesignation;
        }

        int colon = designation.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? designation[..colon] : designation;
    }

    private void Count(string period, SignalFacts facts, int column)
    {
        Bump(_byCategory, (period, facts.Category), column);
        Bump(_byDesignation, (period, facts.DesignationList), column);
        Bump(_byMember, (period, facts.Member), column);
    }

    private static void Bump<TKey>(SortedDictionary<TKey, long[]> table, TKey key, int column)
        where TKey : notnull
    {
        if (!table.TryGetValue(key, out long[]? counts))
        {
            counts = new long[3];
            table[key] = counts;
        }

        counts[column]++;
    }

    private static SignalCount[] Rows(SortedDictionary<(string Period, string Key), long[]> table) =>
        [.. table.Select(r => new SignalCount(r.Key.Period, r.Key.Key, r.Value[0], r.Value[1]))];

    private static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return Math.Round(median, 3);
    }

    private BankDisagreement[] Disagreement()
    {
        var perSignal = new Dictionary<string, (bool Positive, bool Negative)>(StringComparer.Ordinal);
        foreach (((string signal, _), string opinion) in _opinions)
        {
            perSignal.TryGetValue(signal, out var seen);
            perSignal[signal] = (seen.Positive || opinion == "positive", seen.Negative || opinion == "negative");
        }

        var perBank = new SortedDictionary<string, (long Opinionated, long Mixed)>(StringComparer.Ordinal);
        foreach ((string signal, (bool positive, bool negative)) in perSignal)
        {
            if (!_signals.TryGetValue(signal, out SignalFacts? facts))
            {
                continue;
            }

            perBank.TryGetValue(facts.Bank, out var counts);
            perBank[facts.Bank] = (counts.Opinionated + 1, counts.Mixed + (positive && negative ? 1 : 0));
        }

        return [.. perBank.Select(b => new BankDisagreement(b.Key, b.Value.Opinionated, b.Value.Mixed, Math.Round((double)b.Value.Mixed / b.Value.Opinionated, 4)))];
    }

    private sealed record SignalFacts(string Category, string DesignationList, string Member, string Bank);

    /// <summary>
    /// Orders rows by period, then key, ordinally: the default string comparer follows the current culture, and an
    /// auditor in another locale must get the same rows in the same order.
    /// </summary>
    private sealed class OrdinalPairs : IComparer<(string Period, string Key)>
    {
        public static readonly OrdinalPairs Instance = new();

        public int Compare((string Period, string Key) x, (string Period, string Key) y)
        {
            int byPeriod = string.CompareOrdinal(x.Period, y.Period);
            return byPeriod != 0 ? byPeriod : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}
