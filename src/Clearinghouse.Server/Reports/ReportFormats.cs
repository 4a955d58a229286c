using System.Globalization;
using System.Net;
using System.Text;
using Clearinghouse.Ledger.Reports;

namespace Clearinghouse.Server.Reports;

/// <summary>The transparency report as CSV (one table) and as a self-contained HTML page with hand-drawn SVG charts.</summary>
public static class ReportFormats
{
    /// <summary>CSV: <c>table,period,key,added,withdrawn,filed,upheld,rejected,with_opinions,mixed,rate</c>, one row per
    /// figure of the report (empty cells where a column does not apply).</summary>
    public static string ToCsv(TransparencyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder("table,period,key,added,withdrawn,filed,upheld,rejected,with_opinions,mixed,rate\n");
        foreach ((string table, IReadOnlyList<SignalCount> rows) in SignalTables(report))
        {
            foreach (SignalCount row in rows)
            {
                csv.Append(Invariant($"{table},{row.Period},{Cell(row.Key)},{row.Added},{row.Withdrawn},,,,,,\n"));
            }
        }

        foreach (DisputeCount row in report.Disputes)
        {
            csv.Append(Invariant($"disputes,{row.Period},,,,{row.Filed},{row.Upheld},{row.Rejected},,,\n"));
        }

        foreach (BankDisagreement row in report.Disagreement)
        {
            csv.Append(Invariant($"disagreement,,{Cell(row.Bank)},,,,,,{row.SignalsWithOpinions},{row.SignalsWithMixedOpinions},{row.DisagreementRate}\n"));
        }

        return csv.ToString();
    }

    /// <summary>A page with the report's figures as tables and bar charts (inline SVG, no script, nothing fetched).</summary>
    public static string ToHtml(TransparencyReport report, string origin)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Transparency report</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}.added{fill:#2b6cb0}.withdrawn{fill:#c53030}.upheld{fill:#c53030}.rejected{fill:#718096}.filed{fill:#2b6cb0}</style></head><body>")
            .Append("<h1>Transparency report</h1><p>Computed from the first ").Append(report.TreeSize.ToString(CultureInfo.InvariantCulture))
            .Append(" entries of the transparency log <code>").Append(WebUtility.HtmlEncode(origin))
            .Append("</code>. Anyone can recompute every figure with <code>clearinghouse verify</code>; the same data: ")
            .Append("<a href=\"/transparency/report.json\">JSON</a>, <a href=\"/transparency/report.csv\">CSV</a>.</p>");

        foreach ((string table, IReadOnlyList<SignalCount> rows) in SignalTables(report))
        {
            string title = table switch { "category" => "Signals by category", "designation" => "Signals by designation list", _ => "Signals by member" };
            html.Append("<h2>").Append(title).Append("</h2>");
            var totals = rows.GroupBy(r => r.Key, StringComparer.Ordinal).Select(g => (g.Key, new[] { g.Sum(r => r.Added), g.Sum(r => r.Withdrawn) })).ToList();
            html.Append(BarChart(totals, ["added", "withdrawn"]));
            html.Append("<table><tr><th>period</th><th>").Append(table).Append("</th><th>added</th><th>withdrawn</th></tr>");
            foreach (SignalCount row in rows)
            {
                html.Append(Invariant($"<tr><td>{row.Period}</td><td>{WebUtility.HtmlEncode(row.Key)}</td><td>{row.Added}</td><td>{row.Withdrawn}</td></tr>"));
            }

            html.Append("</table>");
        }

        html.Append("<h2>Disputes</h2><p>Open: ").Append(report.OpenDisputes.ToString(CultureInfo.InvariantCulture)).Append(". Median time to resolution: ")
            .Append(report.MedianSecondsToResolution is { } median ? Duration(median) : "no dispute resolved yet").Append(".</p>");
        html.Append(BarChart([.. report.Disputes.Select(d => (d.Period, new[] { d.Filed, d.Upheld, d.Rejected }))], ["filed", "upheld", "rejected"]));
        html.Append("<table><tr><th>period</th><th>filed</th><th>upheld</th><th>rejected</th></tr>");
        foreach (DisputeCount row in report.Disputes)
        {
            html.Append(Invariant($"<tr><td>{row.Period}</td><td>{row.Filed}</td><td>{row.Upheld}</td><td>{row.Rejected}</td></tr>"));
        }

        html.Append("</table><h2>Opinion disagreement by bank</h2><table><tr><th>bank</th><th>signals with opinions</th><th>with mixed opinions</th><th>rate</th></tr>");
        foreach (BankDisagreement row in report.Disagreement)
        {
            html.Append(Invariant($"<tr><td>{WebUtility.HtmlEncode(row.Bank)}</td><td>{row.SignalsWithOpinions}</td><td>{row.SignalsWithMixedOpinions}</td><td>{row.DisagreementRate:P1}</td></tr>"));
        }

        return html.Append("</table></body></html>").ToString();
    }

    private static (string Table, IReadOnlyList<SignalCount> Rows)[] SignalTables(TransparencyReport report) =>
        [("category", report.ByCategory), ("designation", report.ByDesignationList), ("member", report.ByMember)];

    /// <summary>Horizontal grouped bars, one group per label, one bar per series, scaled to the largest value.</summary>
    private static string BarChart(List<(string Label, long[] Values)> groups, string[] series)
    {
        if (groups.Count == 0)
        {
            return "<p>No data yet.</p>";
        }

        const int LabelWidth = 220, BarArea = 480, BarHeight = 14, Gap = 10;
        long max = Math.Max(1, groups.Max(g => g.Values.Max()));
        int groupHeight = (series.Length * BarHeight) + Gap;
        int height = (groups.Count * groupHeight) + 24;
        var svg = new StringBuilder(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{LabelWidth + BarArea + 60}\" height=\"{height}\" role=\"img\">"));
        for (int g = 0; g < groups.Count; g++)
        {
            int y = g * groupHeight;
            svg.Append(Invariant($"<text x=\"0\" y=\"{y + BarHeight}\" font-size=\"12\">{WebUtility.HtmlEncode(groups[g].Label)}</text>"));
            for (int s = 0; s < series.Length; s++)
            {
                long value = groups[g].Values[s];
                int width = (int)Math.Round(BarArea * (double)value / max);
                int barY = y + (s * BarHeight);
                svg.Append(Invariant($"<rect class=\"{series[s]}\" x=\"{LabelWidth}\" y=\"{barY}\" width=\"{width}\" height=\"{BarHeight - 2}\"><title>{series[s]}: {value}</title></rect>"));
                svg.Append(Invariant($"<text x=\"{LabelWidth + width + 4}\" y=\"{barY + BarHeight - 3}\" font-size=\"11\">{value}</text>"));
            }
        }

        int legendY = height - 6;
        for (int s = 0; s < series.Length; s++)
        {
            svg.Append(Invariant($"<rect class=\"{series[s]}\" x=\"{LabelWidth + (s * 110)}\" y=\"{legendY - 10}\" width=\"10\" height=\"10\"/><text x=\"{LabelWidth + (s * 110) + 14}\" y=\"{legendY}\" font-size=\"11\">{series[s]}</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Duration(double seconds) =>
        seconds < 120 ? Invariant($"{seconds:0} s") : seconds < 7200 ? Invariant($"{seconds / 60:0} min") : seconds < 172800 ? Invariant($"{seconds / 3600:0.#} h") : Invariant($"{seconds / 86400:0.#} days");

    private static string Cell(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
