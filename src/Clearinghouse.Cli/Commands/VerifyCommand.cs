using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.Log;
using Clearinghouse.Ledger.Auditing;

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
        var newOnly = new Option<bool>("--new-only") { Description = "Read only the entries after the size verified before (earlier ones are then covered by the consistency proof, not re-read)" };
        var command = new Command("verify", "Audit a transparency log: checkpoint signature, every entry's inclusion, consistency with the checkpoints verified before") { node, dir, state, key, newOnly };
        command.SetAction((parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            using ILogSource source = OpenSource(parse.GetValue(node), parse.GetValue(dir));
            string stateDirectory = Path.GetFullPath(parse.GetValue(state)!);
            try
            {
                AuditOutcome outcome = LogAuditor.Audit(source, stateDirectory, parse.GetValue(key), parse.GetValue(newOnly));
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
                return Task.FromResult(ExitCodes.Success);
            }
            catch (LogVerificationException e)
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, LogAuditor.Describe(e));
            }
        });
        return command;
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
