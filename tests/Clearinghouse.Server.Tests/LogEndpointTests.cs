using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;
using Clearinghouse.Storage;
using Clearinghouse.Tests;

namespace Clearinghouse.Server.Tests;

/// <summary>The public transparency-log routes, read without a key, checked with the Ledger's own verifiers.</summary>
public sealed class LogEndpointTests : IAsyncLifetime
{
    private readonly NodeSigningKey _key = NodeSigningKey.Generate("log.test.example/log");
    private NodeHarness _node = null!;

    public async Task InitializeAsync() => _node = await NodeHarness.StartAsync(o => o with { LogSigningKey = _key });

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task The_checkpoint_is_signed_by_the_published_key_and_covers_the_store()
    {
        using var response = await _node.Anonymous.GetAsync("/log/checkpoint");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string note = await response.Content.ReadAsStringAsync();
        string verifierKey = (await _node.Anonymous.GetStringAsync("/log/verifier-key")).TrimEnd('\n');
        Assert.Equal(_key.VerifierKey, verifierKey);

        VerifiedCheckpoint checkpoint = Checkpoint.Open(note, new NoteVerifierSet(NoteVerifier.Parse(verifierKey)), "log.test.example/log");
        LogHead head = await _node.Store.GetLogHeadAsync();
        Assert.Equal(head.Size, checkpoint.Checkpoint.Size);
        Assert.Equal(head.Root, checkpoint.Checkpoint.Root);
        Assert.True(head.Size >= 5, "the harness's taxonomy and members are logged");

        var other = NodeSigningKey.Generate("log.test.example/log");
        Assert.ThrowsAny<Exception>(() => Checkpoint.Open(note, new NoteVerifierSet(other.Verifier), "log.test.example/log"));
        other.Dispose();
    }

    [Fact]
    public async Task A_signal_added_through_the_api_is_in_the_log_and_its_inclusion_proof_verifies()
    {
        string bank = Http.UniqueName("LOGBANK");
        await _node.ClientA.CreateBank(bank);
        string pdq = Http.RandomPdq();
        long id = await _node.ClientA.AddSignal(bank, pdq);
        Signal signal = (await _node.Store.GetSignalAsync(id))!;

        JsonNode located = await _node.Anonymous.GetAsync($"/log/signals/{signal.PublicId}").Expect(HttpStatusCode.OK);
        long index = (long)located["index"]!;
        JsonNode page = await _node.Anonymous.GetAsync($"/log/entries?start={index}&end={index + 1}").Expect(HttpStatusCode.OK);
        string entryText = (string)page["entries"]![0]!["entry"]!;
        Assert.Equal(index, (long)page["entries"]![0]!["index"]!);
        Assert.DoesNotContain(pdq, entryText, StringComparison.Ordinal);
        var entry = (SignalAdded)LogEntry.Parse(Encoding.UTF8.GetBytes(entryText));
        Assert.Equal(signal.PublicId, entry.PublicId);
        Assert.Equal(bank, entry.Bank);
        Assert.Equal("Member A", entry.Member);
        SignalCommitment commitment = (await _node.Store.GetSignalCommitmentAsync(signal.PublicId))!;
        Assert.True(ValueCommitment.Matches(entry.Commitment, commitment.Salt, pdq));

        string note = await _node.Anonymous.GetStringAsync("/log/checkpoint");
        Checkpoint checkpoint = Checkpoint.Open(note, new NoteVerifierSet(_key.Verifier)).Checkpoint;
        JsonNode proof = await _node.Anonymous.GetAsync($"/log/proof/inclusion?index={index}&size={checkpoint.Size}").Expect(HttpStatusCode.OK);
        MerkleHash[] path = [.. proof["proof"]!.AsArray().Select(h => MerkleHash.ParseBase64((string)h!))];
        Assert.True(MerkleProof.VerifyInclusion(index, checkpoint.Size, Rfc6962.HashLeaf(Encoding.UTF8.GetBytes(entryText)), path, checkpoint.Root).IsValid);

        // Withdrawing through the API logs who and why.
        await _node.ClientA.DeleteAsync($"/api/v1/signals/{id}?reason=duplicate%20of%20another%20listing").Expect(HttpStatusCode.OK);
        LogHead head = await _node.Store.GetLogHeadAsync();
        var withdrawn = (SignalWithdrawn)LogEntry.Parse((await _node.Store.ReadLogEntriesAsync(head.Size - 1, head.Size))[0].Body);
        Assert.Equal((signal.PublicId, "Member A", "duplicate of another listing"), (withdrawn.PublicId, withdrawn.Member, withdrawn.Reason));
    }

    [Fact]
    public async Task Recategorising_through_the_api_is_logged_and_shows_in_matches()
    {
        string bank = Http.UniqueName("MOVEBANK");
        await _node.ClientA.CreateBank(bank);
        string pdq = Http.RandomPdq();
        long id = await _node.ClientA.AddSignal(bank, pdq);

        // Only the contributor, the bank's owner or the operator may move it; the request is checked before anything is written.
        await _node.ClientB.PostJson($"/api/v1/signals/{id}/category", new { category = "attacker-manifesto", reason = "r" })
            .ExpectProblem(HttpStatusCode.Forbidden, "re-categorise");
        await _node.ClientA.PostJson($"/api/v1/signals/{id}/category", new { category = "attacker-manifesto" })
            .ExpectProblem(HttpStatusCode.BadRequest, "reason");
        await _node.ClientA.PostJson($"/api/v1/signals/{id}/category", new { category = "protest-footage", reason = "r" })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity);
        await _node.ClientA.PostJson($"/api/v1/signals/{id}/category", new { category = "designated-entity", reason = "r" })
            .ExpectProblem(HttpStatusCode.BadRequest, "requires a designation");
        LogHead before = await _node.Store.GetLogHeadAsync();

        JsonNode moved = await _node.ClientA.PostJson(
            $"/api/v1/signals/{id}/category", new { category = "attacker-manifesto", reason = "a manifesto read aloud, not footage of an attack" }).Expect(HttpStatusCode.OK);

        Assert.Equal("attacker-manifesto", (string)moved["category"]!);
        LogHead head = await _node.Store.GetLogHeadAsync();
        Assert.Equal(before.Size + 1, head.Size);
        var entry = (SignalRecategorised)LogEntry.Parse((await _node.Store.ReadLogEntriesAsync(head.Size - 1, head.Size))[0].Body);
        Signal signal = (await _node.Store.GetSignalAsync(id))!;
        Assert.Equal(
            (signal.PublicId, "attack-footage", "attacker-manifesto", "Member A", "a manifesto read aloud, not footage of an attack"),
            (entry.PublicId, entry.PreviousCategory, entry.Category, entry.Member, entry.Reason));
        JsonNode match = await _node.ClientB.Match(pdq);
        Assert.Contains(match["matches"]!.AsArray(), m => (long)m!["signal_id"]! == id && (string)m["category"]! == "attacker-manifesto");
    }

    [Fact]
    public async Task Consistency_proofs_link_an_old_checkpoint_to_a_new_one()
    {
        var verifiers = new NoteVerifierSet(_key.Verifier);
        Checkpoint before = Checkpoint.Open(await _node.Anonymous.GetStringAsync("/log/checkpoint"), verifiers).Checkpoint;
        string bank = Http.UniqueName("CONSIST");
        await _node.ClientB.CreateBank(bank);
        await _node.ClientB.AddSignal(bank, Http.RandomPdq());
        Checkpoint after = Checkpoint.Open(await _node.Anonymous.GetStringAsync("/log/checkpoint"), verifiers).Checkpoint;
        Assert.True(after.Size > before.Size);

        JsonNode proof = await _node.Anonymous.GetAsync($"/log/proof/consistency?from={before.Size}&to={after.Size}").Expect(HttpStatusCode.OK);
        MerkleHash[] hashes = [.. proof["proof"]!.AsArray().Select(h => MerkleHash.ParseBase64((string)h!))];
        Assert.True(MerkleProof.VerifyConsistency(before.Size, after.Size, before.Root, after.Root, hashes).IsValid);
        Assert.False(MerkleProof.VerifyConsistency(before.Size, after.Size, after.Root, after.Root, hashes).IsValid);
    }

    [Fact]
    public async Task Pages_are_bounded_and_sizes_beyond_the_tree_are_400()
    {
        Bank bank = await _node.Store.CreateBankAsync(new NewBank(Http.UniqueName("BULKLOG"), "attack-footage", _node.A.Id));
        await _node.Store.AddSignalsAsync(bank.Id, _node.A.Id, [.. Enumerable.Range(0, 1500).Select(_ => new NewSignal("pdq", Http.RandomPdq()))]);
        long size = (await _node.Store.GetLogHeadAsync()).Size;

        JsonNode page = await _node.Anonymous.GetAsync("/log/entries?start=0").Expect(HttpStatusCode.OK);
        Assert.Equal(1000, page["entries"]!.AsArray().Count);
        Assert.Equal(1000, (long)page["end"]!);
        Assert.Equal(size, (long)page["tree_size"]!);
        JsonNode tail = await _node.Anonymous.GetAsync($"/log/entries?start={size - 3}").Expect(HttpStatusCode.OK);
        Assert.Equal([size - 3, size - 2, size - 1], tail["entries"]!.AsArray().Select(e => (long)e!["index"]!));

        await _node.Anonymous.GetAsync($"/log/proof/inclusion?index=0&size={size + 1}").ExpectProblem(HttpStatusCode.BadRequest, $"log's size {size}");
        await _node.Anonymous.GetAsync($"/log/proof/inclusion?index={size}&size={size}").ExpectProblem(HttpStatusCode.BadRequest, "not in the tree");
        await _node.Anonymous.GetAsync("/log/proof/inclusion?size=3").ExpectProblem(HttpStatusCode.BadRequest);
        await _node.Anonymous.GetAsync("/log/proof/inclusion?index=x&size=3").ExpectProblem(HttpStatusCode.BadRequest);
        await _node.Anonymous.GetAsync($"/log/proof/consistency?from=2&to={size + 1}").ExpectProblem(HttpStatusCode.BadRequest, $"log's size {size}");
        await _node.Anonymous.GetAsync("/log/proof/consistency?from=0&to=3").ExpectProblem(HttpStatusCode.BadRequest, "from must be 1");
        await _node.Anonymous.GetAsync("/log/proof/consistency?from=4&to=3").ExpectProblem(HttpStatusCode.BadRequest);
        await _node.Anonymous.GetAsync($"/log/entries?start={size + 1}").ExpectProblem(HttpStatusCode.BadRequest, "outside the log");
        await _node.Anonymous.GetAsync($"/log/entries?start=0&end={size + 1}").ExpectProblem(HttpStatusCode.BadRequest);
        await _node.Anonymous.GetAsync("/log/signals/sig_nosuchsignal").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_log_routes_are_in_the_openapi_document()
    {
        string document = await _node.Anonymous.GetStringAsync(NodeApplication.OpenApiPath);
        foreach (string path in new[] { "/log/checkpoint", "/log/verifier-key", "/log/entries", "/log/proof/inclusion", "/log/proof/consistency" })
        {
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Postgres_replicas_sharing_a_key_serve_one_log()
    {
        string connectionString = await PostgresCluster.Instance.CreateDatabaseAsync("logreplicas");
        string directory = Path.Combine(Path.GetTempPath(), "ch-log-pg-" + Guid.NewGuid().ToString("N"));
        await using var first = await NodeHarness.StartAsync(() => new PostgresStore(connectionString), directory, null, o => o with { LogSigningKey = _key }, migrate: true, waitReady: true, seedMembers: true);
        await using var second = await NodeHarness.StartAsync(
            () => new PostgresStore(connectionString), directory + "-2", () => new ValueTask(PostgresCluster.Instance.DropDatabaseAsync(connectionString)), o => o with { LogSigningKey = _key }, migrate: true, waitReady: true, seedMembers: false);
        second.ShareMembersOf(first);

        string bank = Http.UniqueName("PGLOG");
        await first.ClientA.CreateBank(bank);
        await Task.WhenAll(
            Task.Run(async () => { for (int i = 0; i < 10; i++) { await first.ClientA.AddSignal(bank, Http.RandomPdq()); } }),
            Task.Run(async () => { for (int i = 0; i < 10; i++) { await second.ClientA.AddSignal(bank, Http.RandomPdq()); } }));

        string noteFirst = await first.Anonymous.GetStringAsync("/log/checkpoint");
        string noteSecond = await second.Anonymous.GetStringAsync("/log/checkpoint");
        Assert.Equal(noteFirst, noteSecond);
        Checkpoint checkpoint = Checkpoint.Open(noteFirst, new NoteVerifierSet(_key.Verifier)).Checkpoint;
        var leaves = new List<MerkleHash>();
        for (long start = 0; start < checkpoint.Size;)
        {
            JsonNode page = await second.Anonymous.GetAsync($"/log/entries?start={start}&end={checkpoint.Size}").Expect(HttpStatusCode.OK);
            foreach (JsonNode? item in page["entries"]!.AsArray())
            {
                leaves.Add(Rfc6962.HashLeaf(Encoding.UTF8.GetBytes((string)item!["entry"]!)));
            }

            start = (long)page["end"]!;
        }

        var tree = Clearinghouse.Ledger.Tiles.MerkleLog.Create(new Clearinghouse.Ledger.Tiles.InMemoryTileStore());
        tree.Append([.. leaves]);
        Assert.Equal(checkpoint.Root, tree.Root);
        JsonNode proof = await first.Anonymous.GetAsync($"/log/proof/inclusion?index=3&size={checkpoint.Size}").Expect(HttpStatusCode.OK);
        Assert.True(MerkleProof.VerifyInclusion(3, checkpoint.Size, leaves[3], [.. proof["proof"]!.AsArray().Select(h => MerkleHash.ParseBase64((string)h!))], checkpoint.Root).IsValid);
    }
}
