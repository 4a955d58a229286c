using System.CommandLine;
using System.Globalization;
using System.Text;
using Clearinghouse.Cli.Log;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse log export --node URL DIR</c> (a node's log, for offline audits) and
/// <c>clearinghouse log inclusion --node URL SIGNAL</c> (prove one signal's entry is in the signed log).
/// </summary>
internal static class LogCommand
{
    public static Command Create()
    {
        var command = new Command("log", "Work with a node's transparency log (audit it whole with 'clearinghouse verify')");
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Inclusion());
        return command;
    }

    private static Command Export()
    {
        var node = new Option<string>("--node") { Description = "The node whose log to export", Required = true };
        var dir = new Argument<string>("DIR") { Description = "The directory to write checkpoint, verifier-key and entries.jsonl into (created; files replaced)" };
        var command = new Command("export", "Copy a node's signed checkpoint, verifier key and every entry up to it into a directory, for 'clearinghouse verify --dir'") { node, dir };
        command.SetAction((parse, _) =>
        {
            using ILogSource source = VerifyCommand.OpenSource(parse.GetValue(node), null);
            string directory = Path.GetFullPath(parse.GetValue(dir)!);
            Directory.CreateDirectory(directory);
            string key = source.PublishedVerifierKey();
            string note = source.SignedCheckpoint();
            long size = SizeOf(note, key);

            // Entries first (to a temporary file, renamed when complete), the checkpoint last: a half-written export
            // never pairs a checkpoint with fewer entries than it covers.
            string entries = Path.Combine(directory, DirectoryLogSource.EntriesFile);
            string temporary = entries + ".tmp";
            long count = 0;
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                foreach (ReadOnlyMemory<byte> entry in source.Entries(0, size))
                {
                    stream.Write(entry.Span);
                    stream.WriteByte((byte)'\n');
                    count++;
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, entries, overwrite: true);
            File.WriteAllText(Path.Combine(directory, DirectoryLogSource.VerifierKeyFile), key + "\n", Encoding.UTF8);
            File.WriteAllText(Path.Combine(directory, DirectoryLogSource.CheckpointFile), note, Encoding.UTF8);
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exported {count} entries (checkpoint size {size}) to {directory}"));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Inclusion()
    {
        var node = new Option<string>("--node") { Description = "The node whose log to check", Required = true };
        var key = new Option<string?>("--key") { Description = "The log's verifier key, from its operator (default: the one the node publishes)" };
        var signal = new Argument<string>("SIGNAL") { Description = "A signal's public id (sig_…) or a log index" };
        var value = new Option<string?>("--value") { Description = "With --salt: also check that the entry commits to this (canonical) signal value" };
        var salt = new Option<string?>("--salt") { Description = "The signal's commitment salt, in hex (members who see the signal can get it)" };
        var command = new Command("inclusion", "Fetch a signal's log entry, the signed checkpoint and the inclusion proof, and verify that the entry is in the signed log") { node, key, signal, value, salt };
        command.SetAction((parse, _) =>
        {
            using ILogSource source = VerifyCommand.OpenSource(parse.GetValue(node), null);
            string verifierKey = parse.GetValue(key) ?? source.PublishedVerifierKey();
            string target = parse.GetValue(signal)!;
            long index = long.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) ? parsed : source.SignalEntryIndex(target);
            string note = source.SignedCheckpoint();
            Checkpoint checkpoint = OpenCheckpoint(note, verifierKey);
            if (index >= checkpoint.Size)
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, $"entry {index} is not covered by the checkpoint (size {checkpoint.Size}) yet; try again shortly");
            }

            ReadOnlyMemory<byte> body = source.Entries(index, index + 1).FirstOrDefault();
            LogEntry entry = ParseEntry(body.Span, index);
            IReadOnlyList<MerkleHash> proof = source.InclusionProof(index, checkpoint.Size);
            ProofCheck check = MerkleProof.VerifyInclusion(index, checkpoint.Size, Rfc6962.HashLeaf(body.Span), [.. proof], checkpoint.Root);
            if (!check.IsValid)
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, $"entry {index} is NOT included in the signed tree of size {checkpoint.Size}: {check.Message}");
            }

            if (target.StartsWith("sig_", StringComparison.Ordinal) && (entry is not SignalAdded added || added.PublicId != target))
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, $"entry {index} is a {entry.Type} entry, not the signal-added entry of {target}");
            }

            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(Encoding.UTF8.GetString(body.Span));
            CheckOpening(entry, parse.GetValue(value), parse.GetValue(salt), output);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"included: entry {index} ({entry.Type}) is in {checkpoint.Origin}'s signed tree of size {checkpoint.Size}, root {checkpoint.Root.ToBase64()}"));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>With --value and --salt: the entry's commitment must open to that value.</summary>
    private static void CheckOpening(LogEntry entry, string? value, string? saltHex, TextWriter output)
    {
        if (value is null && saltHex is null)
        {
            return;
        }

        if (value is null || saltHex is null)
        {
            throw new UsageException("--value and --salt go together");
        }

        if (entry is not SignalAdded added)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"entry {entry.Index} is a {entry.Type} entry: it commits to no value");
        }

        byte[] salt;
        try
        {
            salt = Convert.FromHexString(saltHex);
        }
        catch (FormatException)
        {
            throw new UsageException("--salt must be hex");
        }

        if (!ValueCommitment.Matches(added.Commitment, salt, value))
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"the value and salt do not open entry {entry.Index}'s commitment {added.Commitment}");
        }

        output.WriteLine($"opened: the commitment {added.Commitment} is to the value given, under category {added.Category}");
    }

    /// <summary>The checkpoint <paramref name="note"/>, verified with <paramref name="verifierKey"/>.</summary>
    public static Checkpoint OpenCheckpoint(string note, string verifierKey)
    {
        try
        {
            NoteVerifier verifier = NoteVerifier.Parse(verifierKey);
            return Checkpoint.Open(note, new NoteVerifierSet(verifier), verifier.Name).Checkpoint;
        }
        catch (Exception e) when (e is FormatException or NoteException)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"the checkpoint does not verify with key {verifierKey}: {e.Message}");
        }
    }

    /// <summary>An entry's canonical bytes, parsed, and at the expected index.</summary>
    public static LogEntry ParseEntry(ReadOnlySpan<byte> body, long index)
    {
        LogEntry entry;
        try
        {
            entry = LogEntry.Parse(body);
        }
        catch (LogEntryFormatException e)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"entry {index} is not a canonical log entry: {e.Message}");
        }

        return entry.Index == index
            ? entry
            : throw new CommandFailedException(ExitCodes.VerificationFailed, $"the entry served as {index} says it is entry {entry.Index}");
    }

    private static long SizeOf(string note, string verifierKey) => OpenCheckpoint(note, verifierKey).Size;
}
