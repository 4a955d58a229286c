using System.Text;
using Clearinghouse.Ledger.Reports;
using Clearinghouse.Server.Log;
using Clearinghouse.Server.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api;

/// <summary>The public transparency report, computed from the log alone: an HTML page, JSON and CSV (size=N: over the
/// first N entries, to compare with an auditor's recomputation).</summary>
internal static class ReportEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/transparency", HtmlAsync).WithTags("Transparency log").WithName("TransparencyReportPage")
            .WithSummary("The transparency report as a page with charts (signals added and withdrawn by category, designation list and member; disputes; opinion disagreement per bank)")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        var report = app.MapGroup("/transparency").WithTags("Transparency log");
        report.MapGet("/report.json", JsonAsync).WithName("TransparencyReport")
            .WithSummary("The transparency report as JSON, computed from the first 'size' log entries (default: all)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        report.MapGet("/report.csv", CsvAsync).WithName("TransparencyReportCsv")
            .WithSummary("The transparency report as CSV")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<ContentHttpResult> HtmlAsync(ReportService reports, CheckpointSigner signer, HttpContext context, long? size)
    {
        TransparencyReport report = await reports.ComputeAsync(size, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Text(ReportFormats.ToHtml(report, signer.Origin), "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<Ok<TransparencyReport>> JsonAsync(ReportService reports, HttpContext context, long? size) =>
        TypedResults.Ok(await reports.ComputeAsync(size, context.RequestAborted).ConfigureAwait(false));

    private static async Task<ContentHttpResult> CsvAsync(ReportService reports, HttpContext context, long? size)
    {
        TransparencyReport report = await reports.ComputeAsync(size, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Text(ReportFormats.ToCsv(report), "text/csv; charset=utf-8", Encoding.UTF8);
    }
}
