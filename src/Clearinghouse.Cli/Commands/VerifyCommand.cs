using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.Log;
using System.Text.Json;
using Clearinghouse.Ledger.Auditing;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Reports;
using Clearinghouse.Server.Json;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse verify --node URL | --dir DIR [--state DIR] [--key KEY] [--new-only]</c>: audits a transparency
/// log — the checkpoint's signature, every entry's inclusion under the signed root, and consistency with every
/// checkpoint verified before (kept in the state directory) — and exits 6 with a precise message on any inconsistency.
/// </summary>
internal static class VerifyCommand
{
    public const string DefaultStateDirectory = "clearinghouse-audit";

    public static Command Create()
    {
        var node = new Option<string?>("--node") { Description = "The node to audit (its public /log routes; no API key needed)" };
        var dir = new Option<string?>("--dir") { Description = "A log exported with 'clearinghouse log export', to audit offline" };
        var state = new Option<string>("--state")
        {
            Description = $"The auditor's state directory: the last verified checkpoint and tree, and the pinned verifier key (default ./{DefaultStateDirectory})",
            DefaultValueFactory = _ => DefaultStateDirectory,
        };
        var key = new Option<string?>("--key") { Description = "The log's verifier key (name+keyid+key), from its operator; default: the key pinned in --state, or the one the log publishes, pinned on first use" };
        var newOnly = new Option<bool>("--new-only") { Description = "Read only the entries after the size verified before (earlier ones are then covered by the consistency proof, not re-read; no report is recomputed)" };
        var report = new Option<string?>("--report") { Description = "Write the transparency report recomputed from the entries to this JSON file" };
        var bundle = new Option<string?>("--bundle") { Description = "Instead of a log: check a proof bundle (from GET /api/v1/signals/{id}/proof-bundle) offline" };
        var command = new Command("verify", "Audit a transparency log: checkpoint signature, every entry's inclusion, consistency with the checkpoints verified before, and the node's transparency report recomputed from the entries") { node, dir, state, key, newOnly, report, bundle };
        command.SetAction((parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(bundle) is { } bundleFile)
            {
                return Task.FromResult(BundleVerifier.Verify(bundleFile, parse.GetValue(key), output, error));
            }

            using ILogSource source = OpenSource(parse.GetValue(node), parse.GetValue(dir));
            string stateDirectory = Path.GetFullPath(parse.GetValue(state)!);
            TransparencyReportBuilder? recomputed = parse.GetValue(newOnly) ? null : new TransparencyReportBuilder();
            try
            {
                AuditOutcome outcome = LogAuditor.Audit(source, stateDirectory, parse.GetValue(key), parse.GetValue(newOnly), recomputed is null ? null : entry => Feed(recomputed, entry));
                if (outcome.KeyPinnedNow)
                {
                    error.WriteLine($"clearinghouse: first audit: trusting and pinning the log's verifier key {outcome.VerifierKey} (compare it with the one its operator publishes)");
                }

                LogAudit audit = outcome.Audit;
                var checkpoint = audit.Checkpoint.Checkpoint;
                string consistency = audit.PreviousSize == 0 ? "first audit" : $"consistent with size {audit.PreviousSize.ToString(CultureInfo.InvariantCulture)} verified before";
                output.WriteLine(audit.Stale
                    ? $"verified: {outcome.Origin} served an older checkpoint (size {checkpoint.Size}), consistent with the size {audit.PreviousSize} verified before"
                    : $"verified: {outcome.Origin} at size {checkpoint.Size}, root {checkpoint.Root.ToBase64()}; {audit.EntriesChecked} entries checked; {consistency}");
                if (recomputed is not null && !audit.Stale)
                {
                    CheckReport(source, recomputed.Build(), parse.GetValue(report), output);
                }

                return Task.FromResult(ExitCodes.Success);
            }
            catch (LogVerificationException e)
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, LogAuditor.Describe(e));
            }
        });
        return command;
    }

    /// <summary>Feeds the report builder; an entry that does not parse is left to the verifier to report.</summary>
    private static void Feed(TransparencyReportBuilder builder, ReadOnlyMemory<byte> entry)
    {
        try
        {
            builder.Add(LogEntry.Parse(entry.Span));
        }
        catch (LogEntryFormatException)
        {
        }
    }

    /// <summary>Compares the recomputed report with the one the source publishes (if any), and saves it if asked.</summary>
    private static void CheckReport(ILogSource source, TransparencyReport recomputed, string? file, TextWriter output)
    {
        string mine = JsonSerializer.Serialize(recomputed, NodeJsonContext.Default.TransparencyReport);
        if (file is not null)
        {
            File.WriteAllText(file, mine + "\n");
        }

        if (source.PublishedReport(recomputed.TreeSize) is not { } published)
        {
            output.WriteLine($"report: recomputed from {recomputed.TreeSize} entries");
            return;
        }

        TransparencyReport? theirs;
        try
        {
            theirs = JsonSerializer.Deserialize(published, NodeJsonContext.Default.TransparencyReport);
        }
        catch (JsonException e)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"the node's transparency report is not valid JSON: {e.Message}");
        }

        string normalised = theirs is null ? "null" : JsonSerializer.Serialize(theirs, NodeJsonContext.Default.TransparencyReport);
        if (normalised != mine)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed,
                $"the node's transparency report over {recomputed.TreeSize} entries differs from the one recomputed from its log:\n  node:       {normalised}\n  recomputed: {mine}");
        }

        output.WriteLine($"report: recomputed from {recomputed.TreeSize} entries; matches the node's published report");
    }

    /// <summary>The source --node or --dir names (exactly one).</summary>
    public static ILogSource OpenSource(string? node, string? dir)
    {
        if ((node is null) == (dir is null))
        {
            throw new UsageException("give the log to check with exactly one of --node URL and --dir DIR");
        }

        if (node is not null)
        {
            if (!Uri.TryCreate(node, UriKind.Absolute, out Uri? address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"--node: '{node}' is not an http:// or https:// address");
            }

            return new NodeLogSource(address, TimeSpan.FromSeconds(60));
        }

        return new DirectoryLogSource(dir!);
    }
}
