using System.Diagnostics;
using System.Text;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;
using Clearinghouse.Ledger.Tiles;
using Clearinghouse.Tests;

namespace Clearinghouse.Ledger.Tests;

/// <summary>
/// Our checkpoints, leaf hashes and proofs checked by Go's golang.org/x/mod/sumdb/note and .../tlog (the Debian
/// packages golang-go and golang-golang-x-mod-dev, which scripts/test.sh installs), and a note Go signs opened here.
/// </summary>
public sealed class GoInteropTests
{
    [Fact]
    public void Go_accepts_our_signed_checkpoints_leaf_hashes_and_proofs_and_we_accept_its_notes()
    {
        string program = Path.Combine(TestData.RepositoryRoot, "tests", "Clearinghouse.Ledger.Tests", "GoInterop", "interop.go");
        Assert.True(File.Exists(program), program);

        using var key = NodeSigningKey.Generate("clearinghouse.example/log");
        var entries = LogVerifierTests.Entries(1000);
        var log = MerkleLog.Create(new InMemoryTileStore());
        log.Append([.. entries.Select(e => Rfc6962.HashLeaf(e))]);

        var commands = new StringBuilder();
        commands.AppendLine($"key {key.VerifierKey}");
        foreach (int size in new[] { 1, 2, 3, 256, 257, 999, 1000 })
        {
            string signed = new Checkpoint(key.Name, size, log.RootAt(size)).Sign(key);
            commands.AppendLine($"note {Convert.ToBase64String(Encoding.UTF8.GetBytes(signed))}");
        }

        foreach (int i in new[] { 0, 1, 17, 255, 256, 511, 998, 999 })
        {
            commands.AppendLine($"leaf {Convert.ToBase64String(entries[i])} {Rfc6962.HashLeaf(entries[i]).ToBase64()}");
        }

        var random = new Random(6962);
        for (int k = 0; k < 200; k++)
        {
            int size = random.Next(1, 1001);
            int index = random.Next(0, size);
            int old = random.Next(1, size + 1);
            string root = log.RootAt(size).ToBase64();
            string inclusion = string.Join(' ', log.InclusionProof(index, size).Select(h => h.ToBase64()));
            commands.AppendLine($"record {index} {size} {root} {Rfc6962.HashLeaf(entries[index]).ToBase64()} {inclusion}");
            commands.AppendLine($"badrecord {index} {size} {root} {Rfc6962.HashLeaf(entries[(index + 1) % 1000]).ToBase64()} {inclusion}");
            string consistency = string.Join(' ', log.ConsistencyProof(old, size).Select(h => h.ToBase64()));
            commands.AppendLine($"tree {size} {root} {old} {log.RootAt(old).ToBase64()} {consistency}");
            if (old < size)
            {
                commands.AppendLine($"badtree {size} {root} {old} {Rfc6962.HashLeaf("x"u8).ToBase64()} {consistency}");
            }
        }

        (int exit, string output, string errors) = RunGo(program, commands.ToString());
        Assert.True(exit == 0, $"go run failed ({exit}): {errors}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("checked ", lines[0], StringComparison.Ordinal);
        Assert.Equal(commands.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, int.Parse(lines[0][8..], System.Globalization.CultureInfo.InvariantCulture));

        // The note Go signed opens here with the verifier key Go printed.
        string[] goNote = lines[1].Split(' ');
        Assert.Equal("gonote", goNote[0]);
        var verifier = NoteVerifier.Parse(goNote[1]);
        string signedByGo = Encoding.UTF8.GetString(Convert.FromBase64String(goNote[2]));
        VerifiedCheckpoint opened = Checkpoint.Open(signedByGo, new NoteVerifierSet(verifier), "go.example/log");
        Assert.Equal(7, opened.Checkpoint.Size);
        Assert.Equal(Rfc6962.EmptyTreeHash, opened.Checkpoint.Root);
    }

    private static (int Exit, string Output, string Errors) RunGo(string program, string input)
    {
        string go = File.Exists("/usr/lib/go/bin/go") ? "/usr/lib/go/bin/go" : "go";
        var start = new ProcessStartInfo(go, ["run", program])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(program)!,
        };

        // GOPATH mode over the Debian source packages: no module download, nothing leaves the machine.
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = "/usr/share/gocode";
        start.Environment["GOFLAGS"] = "";
        start.Environment["GOCACHE"] = Path.Combine(Path.GetTempPath(), "clearinghouse-ledger-gocache");
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("could not start go; scripts/test.sh installs golang-go");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("go run did not finish in 5 minutes");
        }

        return (process.ExitCode, output.Result, errors.Result);
    }
}
