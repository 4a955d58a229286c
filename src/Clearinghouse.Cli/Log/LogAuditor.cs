using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Auditing;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;

namespace Clearinghouse.Cli.Log;

/// <summary>The outcome of one audit, for the command to print.</summary>
internal sealed record AuditOutcome(string Origin, LogAudit Audit, string VerifierKey, bool KeyPinnedNow);

/// <summary>
/// The auditor: checks a log source against the state of earlier audits (the last verified checkpoint and tree, and
/// the pinned verifier key) with <see cref="AuditorState"/>, then saves the new state.
/// </summary>
internal static class LogAuditor
{
    public const string PinnedKeyFile = "verifier-key";

    /// <summary>The verifier key to trust: <paramref name="given"/>, else the one pinned in the state, else the
    /// source's (pinned now: trust on first use). A source publishing another key than the pinned one is refused.</summary>
    public static (NoteVerifier Key, bool PinnedNow) ResolveKey(ILogSource source, string stateDirectory, string? given)
    {
        string pinnedPath = Path.Combine(stateDirectory, PinnedKeyFile);
        string? pinned = File.Exists(pinnedPath) ? File.ReadAllText(pinnedPath, Encoding.UTF8).Trim() : null;
        if (given is not null)
        {
            if (pinned is not null && pinned != given)
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, $"--key {given} is not the key pinned in {pinnedPath} ({pinned}); use another --state for another log");
            }

            return (ParseKey(given, "--key"), false);
        }

        string published = source.PublishedVerifierKey();
        if (pinned is not null)
        {
            if (published != pinned)
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed,
                    $"the log at {source.Describe()} now publishes verifier key {published}, not the key pinned in {pinnedPath} ({pinned}): its checkpoints are no longer signed by the key audited before");
            }

            return (ParseKey(pinned, pinnedPath), false);
        }

        NoteVerifier key = ParseKey(published, $"{source.Describe()}'s verifier key");
        Directory.CreateDirectory(stateDirectory);
        File.WriteAllText(pinnedPath, published + "\n", Encoding.UTF8);
        return (key, true);
    }

    /// <summary>Audits <paramref name="source"/>; throws <see cref="LogVerificationException"/> on any inconsistency.</summary>
    /// <param name="newOnly">Read only entries after the size verified before (faster; earlier entries are then
    /// covered by the consistency of the new root with the old one, not re-read).</param>
    /// <param name="observe">Sees every entry the audit reads, in order (to recompute the report).</param>
    public static AuditOutcome Audit(ILogSource source, string stateDirectory, string? givenKey, bool newOnly, Action<ReadOnlyMemory<byte>>? observe = null)
    {
        (NoteVerifier key, bool pinnedNow) = ResolveKey(source, stateDirectory, givenKey);
        string note = source.SignedCheckpoint();
        using AuditorState state = AuditorState.Open(stateDirectory, key.Name, key);
        long trusted = state.Verifier.Trusted?.Checkpoint.Size ?? 0;
        long size;
        try
        {
            size = Checkpoint.Open(note, new NoteVerifierSet(key), key.Name).Checkpoint.Size;
        }
        catch (Exception e) when (e is NoteException or CheckpointFormatException)
        {
            // Let the verifier classify what is wrong with the checkpoint (bad signature, wrong log, malformed).
            state.Verify(note, []);
            throw;
        }

        IReadOnlyList<MerkleHash>? consistency = trusted > 0 && size > trusted ? source.ConsistencyProof(trusted, size) : null;
        long first = newOnly ? Math.Min(trusted, size) : 0;
        IEnumerable<ReadOnlyMemory<byte>> entries = source.Entries(first, size);
        if (observe is not null)
        {
            entries = Observed(entries, observe);
        }

        LogAudit audit = state.Verify(note, entries, first, consistency);
        return new AuditOutcome(key.Name, audit, key.VerifierKey, pinnedNow);
    }

    /// <summary>One line describing a failure, with the entry to blame when there is one.</summary>
    public static string Describe(LogVerificationException e) => e.Index is { } index
        ? string.Create(CultureInfo.InvariantCulture, $"log verification failed ({e.Failure}, entry {index}): {e.Message}")
        : $"log verification failed ({e.Failure}): {e.Message}";

    private static NoteVerifier ParseKey(string text, string where)
    {
        try
        {
            return NoteVerifier.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{where} is not a verifier key: {e.Message}");
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Observed(IEnumerable<ReadOnlyMemory<byte>> entries, Action<ReadOnlyMemory<byte>> observe)
    {
        foreach (ReadOnlyMemory<byte> entry in entries)
        {
            observe(entry);
            yield return entry;
        }
    }
}
