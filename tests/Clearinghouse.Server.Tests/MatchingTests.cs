using System.Net;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Tests;

/// <summary>Matching inside the node: negative banks, disabled banks, thresholds, and freshness across replicas.</summary>
public sealed class MatchingTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private readonly NodeHarness _node = fixture.Node;

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    [Fact]
    public async Task A_negative_bank_suppresses_the_other_matches_and_says_so()
    {
        string positive = Name("pos");
        string negative = Name("neg");
        await _node.ClientA.CreateBank(positive);
        await _node.ClientA.CreateBank(negative, negative: true);
        string pdq = Http.RandomPdq();
        long positiveId = await _node.ClientA.AddSignal(positive, pdq);
        Assert.Equal([positiveId], Http.MatchedIds(await _node.ClientB.Match(pdq)));

        long benignId = await _node.ClientA.AddSignal(negative, Http.FlipBits(pdq, 4));
        var result = await _node.ClientB.Match(pdq);
        Assert.True((bool)result["suppressed"]!);
        Assert.Empty(Http.MatchedIds(result));
        Assert.Equal(1, (int)result["suppressed_count"]!);
        var benign = result["negative_matches"]!.AsArray().Single()!;
        Assert.Equal(benignId, (long)benign["signal_id"]!);
        Assert.Equal(4, (int)benign["distance"]!);
        Assert.Equal(negative, (string?)benign["bank"]);

        // HMA routes return nothing for suppressed content.
        Assert.Equal("""{"matches":[]}""", (await _node.ClientB.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal("{}", (await _node.ClientB.GetAsync($"/m/lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK)).ToJsonString());
    }

    [Fact]
    public async Task A_disabled_bank_does_not_match_until_enabled_again()
    {
        string bank = Name("dis");
        await _node.ClientA.CreateBank(bank);
        string pdq = Http.RandomPdq();
        long id = await _node.ClientA.AddSignal(bank, pdq);
        Assert.Equal([id], Http.MatchedIds(await _node.ClientB.Match(pdq)));
        await _node.ClientA.PatchJson($"/api/v1/banks/{bank}", new { enabled = false }).Expect(HttpStatusCode.OK);
        Assert.Empty(Http.MatchedIds(await _node.ClientB.Match(pdq)));
        Assert.Equal("""{"matches":[]}""", (await _node.ClientB.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK)).ToJsonString());
        await _node.ClientA.PatchJson($"/api/v1/banks/{bank}", new { enabled = true }).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Http.MatchedIds(await _node.ClientB.Match(pdq)));
    }

    [Fact]
    public async Task Each_bank_matches_within_its_own_threshold()
    {
        string strict = Name("strict");
        string loose = Name("loose");
        string plain = Name("plain");
        await _node.ClientA.CreateBank(strict, thresholds: new() { ["pdq"] = 10 });
        await _node.ClientA.CreateBank(loose, thresholds: new() { ["pdq"] = 40 });
        await _node.ClientA.CreateBank(plain);
        string pdq = Http.RandomPdq();
        long strictId = await _node.ClientA.AddSignal(strict, pdq);
        long looseId = await _node.ClientA.AddSignal(loose, pdq);
        long plainId = await _node.ClientA.AddSignal(plain, pdq);

        Assert.Equal(new[] { strictId, looseId, plainId }.Order(), Http.MatchedIds(await _node.ClientB.Match(Http.FlipBits(pdq, 10))).Order());
        Assert.Equal(new[] { looseId, plainId }.Order(), Http.MatchedIds(await _node.ClientB.Match(Http.FlipBits(pdq, 11))).Order());
        Assert.Equal(new[] { looseId, plainId }.Order(), Http.MatchedIds(await _node.ClientB.Match(Http.FlipBits(pdq, 31))).Order());
        Assert.Equal([looseId], Http.MatchedIds(await _node.ClientB.Match(Http.FlipBits(pdq, 32))));
        Assert.Equal([looseId], Http.MatchedIds(await _node.ClientB.Match(Http.FlipBits(pdq, 40))));
        Assert.Empty(Http.MatchedIds(await _node.ClientB.Match(Http.FlipBits(pdq, 41))));

        // Changing a threshold applies to the next lookup.
        await _node.ClientA.PatchJson($"/api/v1/banks/{strict}", new { thresholds = new { pdq = 20 } }).Expect(HttpStatusCode.OK);
        Assert.Contains(strictId, Http.MatchedIds(await _node.ClientB.Match(Http.FlipBits(pdq, 20))));
    }

    [Fact]
    public async Task Changes_written_by_another_replica_match_within_a_second()
    {
        string bankName = Name("replica");
        await _node.ClientA.CreateBank(bankName);
        string pdq = Http.RandomPdq();
        string md5 = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

        // Another process writing to the same database: here a second store instance on the same file.
        await using var replica = _node.OpenReplicaStore();
        var bank = (await replica.FindBankAsync(bankName))!;
        var added = await replica.AddSignalsAsync(bank.Id, _node.A.Id, [new NewSignal("pdq", pdq), new NewSignal("md5", md5)]);
        var seen = await Http.Eventually(async () => Http.MatchedIds(await _node.ClientB.Match(pdq)).Contains(added[0].SignalId), TimeSpan.FromSeconds(5));
        Assert.True(seen < TimeSpan.FromSeconds(1), $"an added signal took {seen.TotalMilliseconds:F0} ms to match");
        Assert.Equal([added[1].SignalId], Http.MatchedIds(await _node.ClientB.Match(md5, "md5")));

        await replica.WithdrawSignalAsync(added[0].SignalId);
        var gone = await Http.Eventually(async () => Http.MatchedIds(await _node.ClientB.Match(pdq)).Count == 0, TimeSpan.FromSeconds(5));
        Assert.True(gone < TimeSpan.FromSeconds(1), $"a withdrawn signal matched for {gone.TotalMilliseconds:F0} ms");

        await replica.UpdateBankAsync(bank.Id, new BankUpdate(Enabled: false));
        var disabled = await Http.Eventually(async () => Http.MatchedIds(await _node.ClientB.Match(md5, "md5")).Count == 0, TimeSpan.FromSeconds(5));
        Assert.True(disabled < TimeSpan.FromSeconds(1), $"a disabled bank matched for {disabled.TotalMilliseconds:F0} ms");

        await replica.UpdateBankAsync(bank.Id, new BankUpdate(Enabled: true));
        await Http.Eventually(async () => Http.MatchedIds(await _node.ClientB.Match(md5, "md5")).Count == 1, TimeSpan.FromSeconds(5));
        await replica.DeleteBankAsync(bank.Id);
        var deleted = await Http.Eventually(async () => Http.MatchedIds(await _node.ClientB.Match(md5, "md5")).Count == 0, TimeSpan.FromSeconds(5));
        Assert.True(deleted < TimeSpan.FromSeconds(1), $"a deleted bank matched for {deleted.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_bank_made_private_by_another_replica_stops_matching_for_others()
    {
        string bankName = Name("share");
        await _node.ClientA.CreateBank(bankName);
        string pdq = Http.RandomPdq();
        long id = await _node.ClientA.AddSignal(bankName, pdq);
        Assert.Equal([id], Http.MatchedIds(await _node.ClientB.Match(pdq)));
        await using var replica = _node.OpenReplicaStore();
        var bank = (await replica.FindBankAsync(bankName))!;
        await replica.UpdateBankAsync(bank.Id, new BankUpdate(Scope: SharingScope.Private));
        var took = await Http.Eventually(async () => Http.MatchedIds(await _node.ClientB.Match(pdq)).Count == 0, TimeSpan.FromSeconds(5));
        Assert.True(took < TimeSpan.FromSeconds(1));
        Assert.Equal([id], Http.MatchedIds(await _node.ClientA.Match(pdq)));
    }

    [Fact]
    public async Task A_lookup_that_matches_nothing_needs_no_store()
    {
        // Once ready, the node answers non-matching lookups from memory: with its database gone from under it,
        // they still succeed, while a lookup that matches (and must load the signal) fails.
        // The webhook dispatcher and the review-copy sweeper poll the store in the background; a connection they
        // pooled would keep the moved file open, so they are kept quiet for the test's few seconds.
        await using var node = await NodeHarness.StartAsync(o => o with
        {
            KeyCacheTtl = TimeSpan.FromMinutes(5),
            Webhooks = new WebhookOptions { PollInterval = TimeSpan.FromMinutes(10) },
            ReviewSweepInterval = TimeSpan.FromMinutes(10),
        });
        await node.ClientA.CreateBank("nostore");
        string pdq = Http.RandomPdq();
        await node.ClientA.AddSignal("nostore", pdq);
        await node.ClientA.Match(Http.RandomPdq());
        await node.Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        string moved = node.Directory + ".moved";
        Directory.Move(node.Directory, moved);
        try
        {

            for (int i = 0; i < 20; i++)
            {
                Assert.Empty(Http.MatchedIds(await node.ClientA.Match(Http.RandomPdq())));
                Assert.Equal("""{"matches":[]}""", (await node.ClientA.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={Http.RandomPdq()}").Expect(HttpStatusCode.OK)).ToJsonString());
            }

        await node.ClientA.GetAsync($"/api/v1/match?signal_type=pdq&value={pdq}").ExpectProblem(HttpStatusCode.ServiceUnavailable, "store is unavailable");
        }
        finally
        {
            Directory.Move(moved, node.Directory);
        }
    }
}
