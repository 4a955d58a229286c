using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Reports;

namespace Clearinghouse.Ledger.Tests;

/// <summary>The report's figures against values worked out by hand for a small, fully known log.</summary>
public sealed class TransparencyReportTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Feb = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string Commitment = ValueCommitment.Compute(new byte[ValueCommitment.SaltSize], "value");

    /// <summary>
    /// January: org-one adds s1 (attack-footage, bank B1) and s2 (designated-entity, un:QDe.1, B2); org-two adds s3
    /// (branded-publication, un:QDe.2, B2). Dispute d1 is filed and upheld an hour later, d2 filed.
    /// February: s1 withdrawn; s2 moved to branded-publication, then withdrawn; a withdrawal of an unknown signal;
    /// d2 rejected (12 days after filing), d4 filed and rejected after 30 minutes, d3 filed and left open.
    /// Opinions: s1 positive (org-two) and negative (org-three): mixed; s3 negative then positive from org-one (the
    /// later one replaces it): not mixed; s2 positive (org-three).
    /// </summary>
    private static List<LogEntry> KnownLog()
    {
        long i = 0;
        return
        [
            new SignalAdded(i++, Jan.AddDays(1), "s1", "pdq", "attack-footage", null, "B1", "org-one", Commitment),
            new SignalAdded(i++, Jan.AddDays(2), "s2", "pdq", "designated-entity", "un:QDe.1", "B2", "org-one", Commitment),
            new SignalAdded(i++, Jan.AddDays(3), "s3", "md5", "branded-publication", "un:QDe.2", "B2", "org-two", Commitment),
            new OpinionRecorded(i++, Jan.AddDays(4), "s1", "org-two", "positive"),
            new OpinionRecorded(i++, Jan.AddDays(4), "s1", "org-three", "negative"),
            new OpinionRecorded(i++, Jan.AddDays(5), "s3", "org-one", "negative"),
            new OpinionRecorded(i++, Jan.AddDays(6), "s3", "org-one", "positive"),
            new OpinionRecorded(i++, Jan.AddDays(6), "s2", "org-three", "positive"),
            new DisputeFiled(i++, Jan.AddDays(9), "d1", "s1", null),
            new DisputeResolved(i++, Jan.AddDays(9).AddHours(1), "d1", "s1", "upheld", "lawful news report"),
            new DisputeFiled(i++, Jan.AddDays(19), "d2", "s3", "org-two"),
            new SignalWithdrawn(i++, Feb.AddDays(1), "s1", "org-one", "dispute d1 upheld"),
            new SignalRecategorised(i++, Feb.AddDays(2), "s2", "designated-entity", "branded-publication", "un:QDe.1", "org-one", "branded output"),
            new SignalWithdrawn(i++, Feb.AddDays(3), "s2", "org-one", "duplicate"),
            new SignalWithdrawn(i++, Feb.AddDays(3), "s-unknown", "org-one", "never added"),
            new DisputeResolved(i++, Jan.AddDays(31), "d2", "s3", "rejected", "depicts the attack"),
            new DisputeFiled(i++, Feb.AddDays(4), "d3", "s3", null),
            new DisputeFiled(i++, Feb.AddDays(5), "d4", "s2", null),
            new DisputeResolved(i++, Feb.AddDays(5).AddMinutes(30), "d4", "s2", "rejected", "correct listing"),
        ];
    }

    private static TransparencyReport Build(IEnumerable<LogEntry> entries)
    {
        var builder = new TransparencyReportBuilder();
        foreach (LogEntry entry in entries)
        {
            builder.Add(entry);
        }

        return builder.Build();
    }

    [Fact]
    public void Additions_and_withdrawals_are_counted_per_month_by_category_designation_list_and_contributor()
    {
        TransparencyReport report = Build(KnownLog());

        Assert.Equal(19, report.TreeSize);
        Assert.Equal(
            [
                new SignalCount("2026-01", "attack-footage", 1, 0),
                new SignalCount("2026-01", "branded-publication", 1, 0),
                new SignalCount("2026-01", "designated-entity", 1, 0),
                new SignalCount("2026-02", "attack-footage", 0, 1),
                new SignalCount("2026-02", "branded-publication", 0, 1), // s2 was moved before it was withdrawn
            ],
            report.ByCategory);
        Assert.Equal(
            [
                new SignalCount("2026-01", TransparencyReportBuilder.NoDesignation, 1, 0),
                new SignalCount("2026-01", "un", 2, 0),
                new SignalCount("2026-02", TransparencyReportBuilder.NoDesignation, 0, 1),
                new SignalCount("2026-02", "un", 0, 1),
            ],
            report.ByDesignationList);
        Assert.Equal(
            [
                new SignalCount("2026-01", "org-one", 2, 0),
                new SignalCount("2026-01", "org-two", 1, 0),
                new SignalCount("2026-02", "org-one", 0, 2), // withdrawals count against the contributor
            ],
            report.ByMember);
    }

    [Fact]
    public void Disputes_are_counted_in_the_month_of_each_event_with_the_median_time_to_resolution()
    {
        TransparencyReport report = Build(KnownLog());

        Assert.Equal([new DisputeCount("2026-01", 2, 1, 0), new DisputeCount("2026-02", 2, 0, 2)], report.Disputes);
        Assert.Equal(1, report.OpenDisputes);
        // Resolution times 3 600 s (d1), 1 036 800 s (d2: 12 days), 1 800 s (d4): the median is 3 600 s.
        Assert.Equal(3600, report.MedianSecondsToResolution);
    }

    [Fact]
    public void Disagreement_counts_signals_whose_members_latest_opinions_are_both_positive_and_negative()
    {
        TransparencyReport report = Build(KnownLog());

        Assert.Equal([new BankDisagreement("B1", 1, 1, 1.0), new BankDisagreement("B2", 2, 0, 0.0)], report.Disagreement);
    }

    [Fact]
    public void An_even_number_of_resolutions_takes_the_mean_of_the_middle_two_and_none_gives_no_median()
    {
        List<LogEntry> log =
        [
            new DisputeFiled(0, Jan, "a", "s", null),
            new DisputeFiled(1, Jan, "b", "s", null),
            new DisputeResolved(2, Jan.AddSeconds(10), "a", "s", "upheld", "r"),
            new DisputeResolved(3, Jan.AddSeconds(31), "b", "s", "rejected", "r"),
        ];

        Assert.Equal(20.5, Build(log).MedianSecondsToResolution);
        Assert.Null(Build(log.Take(2)).MedianSecondsToResolution);
        Assert.Equal(2, Build(log.Take(2)).OpenDisputes);
    }

    [Fact]
    public void Rows_are_ordered_ordinally_so_every_auditor_gets_the_same_order()
    {
        List<LogEntry> log =
        [
            new SignalAdded(0, Jan, "x1", "pdq", "attack-footage", null, "B", "org-b", Commitment),
            new SignalAdded(1, Jan, "x2", "pdq", "attack-footage", null, "B", "Org-a", Commitment),
            new SignalAdded(2, Jan, "x3", "pdq", "attack-footage", null, "B", "org-a", Commitment),
            new SignalAdded(3, Jan, "x4", "pdq", "attack-footage", null, "B", "école", Commitment),
        ];

        // Ordinal (UTF-16 code units): upper case before lower case, accented letters last — never a locale's order.
        Assert.Equal(["Org-a", "org-a", "org-b", "école"], Build(log).ByMember.Select(r => r.Key));
    }
}
