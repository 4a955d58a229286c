using System.Text;
using System.Text.Json;
using Clearinghouse.Cli.Commands;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Server.Json;

namespace Clearinghouse.Cli.Log;

/// <summary>
/// Checks a proof bundle offline: the checkpoint is signed by the log's key, the entry is included under it, and the
/// entry commits to the bundle's value with its salt — so the value was listed under the entry's category at that index.
/// </summary>
internal static class BundleVerifier
{
    public static int Verify(string path, string? givenKey, TextWriter output, TextWriter error)
    {
        ProofBundle bundle;
        try
        {
            bundle = JsonSerializer.Deserialize(File.ReadAllText(path, Encoding.UTF8), NodeJsonContext.Default.ProofBundle)
                ?? throw new CommandFailedException(ExitCodes.BadInput, $"{path} holds null, not a proof bundle");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{path} is not a readable proof bundle: {e.Message}");
        }

        if (givenKey is null)
        {
            error.WriteLine($"clearinghouse: checking with the bundle's own verifier key {bundle.VerifierKey}; pass the log's key from its operator with --key to rule out a forged bundle");
        }

        Checkpoint checkpoint = LogCommand.OpenCheckpoint(bundle.Checkpoint, givenKey ?? bundle.VerifierKey);
        if (checkpoint.Size != bundle.TreeSize)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"the bundle's proof is for size {bundle.TreeSize} but its checkpoint is for size {checkpoint.Size}");
        }

        byte[] body = Encoding.UTF8.GetBytes(bundle.Entry);
        LogEntry entry = LogCommand.ParseEntry(body, bundle.Index);
        if (entry is not SignalAdded added)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"entry {bundle.Index} is a {entry.Type} entry, not signal-added");
        }

        MerkleHash[] proof = new MerkleHash[bundle.Proof.Count];
        for (int i = 0; i < proof.Length; i++)
        {
            if (!MerkleHash.TryParseBase64(bundle.Proof[i], out proof[i]))
            {
                throw new CommandFailedException(ExitCodes.VerificationFailed, $"proof hash {i} is not base64 of 32 bytes");
            }
        }

        ProofCheck check = MerkleProof.VerifyInclusion(bundle.Index, checkpoint.Size, Rfc6962.HashLeaf(body), proof, checkpoint.Root);
        if (!check.IsValid)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"entry {bundle.Index} is not included in the signed tree of size {checkpoint.Size}: {check.Message}");
        }

        byte[] salt;
        try
        {
            salt = Convert.FromHexString(bundle.Salt);
        }
        catch (FormatException)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, "the bundle's salt is not hex");
        }

        if (added.SignalType != bundle.SignalType || !ValueCommitment.Matches(added.Commitment, salt, bundle.Value))
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"the bundle's {bundle.SignalType} value and salt do not open entry {bundle.Index}'s commitment {added.Commitment}");
        }

        output.WriteLine($"proved: {added.SignalType} value {bundle.Value} was listed as {added.PublicId} under category {added.Category}"
            + (added.Designation is null ? string.Empty : $" ({added.Designation})")
            + $" in bank {added.Bank} by {added.Member}, at entry {bundle.Index} of {checkpoint.Origin}'s signed log of size {checkpoint.Size}");
        return ExitCodes.Success;
    }
}
