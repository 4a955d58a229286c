using System.Net;
using System.Text;

namespace Clearinghouse.Server.Tests;

/// <summary>
/// Member isolation through every route: member A's private bank, a bank shared with A's group (A and C) and a
/// bank shared with all. B may see only the last; C the last two. Invisible banks are "not found", never revealed.
/// </summary>
public sealed class IsolationTests : IAsyncLifetime
{
    private NodeHarness _node = null!;
    private string _private = null!;
    private string _group = null!;
    private string _all = null!;
    private long _privateSignal;
    private long _groupSignal;
    private string _privatePdq = null!;
    private string _groupPdq = null!;
    private string _allPdq = null!;

    public async Task InitializeAsync()
    {
        _node = await NodeHarness.StartAsync();
        _private = "PRIVATE_A";
        _group = "GROUP_AC";
        _all = "ALL_A";
        await _node.ClientA.CreateBank(_private, scope: "private");
        await _node.ClientA.CreateBank(_group, scope: "group", group: _node.GroupAC.Id);
        await _node.ClientA.CreateBank(_all);

        // The private bank holds the bridge photo, so uploads are isolated as well.
        _privatePdq = TestImages.Pdq(TestImages.Bridge);
        _groupPdq = Http.RandomPdq();
        _allPdq = Http.RandomPdq();
        _privateSignal = await _node.ClientA.AddSignal(_private, _privatePdq);
        _groupSignal = await _node.ClientA.AddSignal(_group, _groupPdq);
        await _node.ClientA.AddSignal(_all, _allPdq);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Matching_never_reveals_banks_a_member_may_not_see()
    {
        // Own API by value, batch and upload.
        Assert.Single(Http.MatchedIds(await _node.ClientA.Match(_privatePdq)));
        Assert.Empty(Http.MatchedIds(await _node.ClientB.Match(_privatePdq)));
        Assert.Empty(Http.MatchedIds(await _node.ClientB.Match(_groupPdq)));
        Assert.Empty(Http.MatchedIds(await _node.ClientC.Match(_privatePdq)));
        Assert.Single(Http.MatchedIds(await _node.ClientC.Match(_groupPdq)));
        Assert.Single(Http.MatchedIds(await _node.ClientB.Match(_allPdq)));
        Assert.Empty(Http.MatchedIds(await _node.ClientB.Match(_privatePdq, banks: _private)));
        var batch = await _node.ClientB.PostJson("/api/v1/match", new { signals = new[] { new { signal_type = "pdq", value = _privatePdq }, new { signal_type = "pdq", value = _groupPdq } } }).Expect(HttpStatusCode.OK);
        Assert.All(batch["results"]!.AsArray(), r => Assert.Empty(Http.MatchedIds(r!)));
        var upload = await _node.ClientB.PostAsync("/api/v1/match/upload", Http.Upload(TestImages.Bytes(TestImages.Bridge))).Expect(HttpStatusCode.OK);
        Assert.All(upload["results"]!.AsArray(), r => Assert.Empty(Http.MatchedIds(r!)));
        var uploadA = await _node.ClientA.PostAsync("/api/v1/match/upload", Http.Upload(TestImages.Bytes(TestImages.Bridge))).Expect(HttpStatusCode.OK);
        Assert.Contains(uploadA["results"]!.AsArray(), r => Http.MatchedIds(r!).Contains(_privateSignal));

        // HMA routes: raw lookup, lookup by value and by upload, even naming the bank.
        Assert.Equal("""{"matches":[]}""", (await _node.ClientB.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={_privatePdq}&banks={_private}").Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal("""{"matches":[]}""", (await _node.ClientB.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={_groupPdq}").Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal($$"""{"matches":[{{_groupSignal}}]}""", (await _node.ClientC.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={_groupPdq}").Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal("{}", (await _node.ClientB.GetAsync($"/m/lookup?signal_type=pdq&signal={_privatePdq}").Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal("""{"pdq":{}}""", (await _node.ClientB.PostAsync("/m/lookup", Http.Upload(TestImages.Bytes(TestImages.Bridge), "photo", "a.jpg")).Expect(HttpStatusCode.OK)).ToJsonString());

        // The operator sees everything.
        Assert.Single(Http.MatchedIds(await _node.OperatorClient.Match(_privatePdq)));
    }

    [Fact]
    public async Task Invisible_banks_cannot_be_read_listed_or_exported()
    {
        var ownList = (await _node.ClientB.GetAsync("/api/v1/banks").Expect(HttpStatusCode.OK))["items"]!.AsArray().Select(b => (string?)b!["name"]).ToList();
        Assert.Equal([_all], ownList);
        var hmaList = (await _node.ClientB.GetAsync("/c/banks").Expect(HttpStatusCode.OK)).AsArray().Select(b => (string?)b!["name"]).ToList();
        Assert.Equal([_all], hmaList);
        var listC = (await _node.ClientC.GetAsync("/c/banks").Expect(HttpStatusCode.OK)).AsArray().Select(b => (string?)b!["name"]).ToList();
        Assert.Equal([_group, _all], listC);

        foreach (var bank in new[] { _private, _group })
        {
            await _node.ClientB.GetAsync($"/api/v1/banks/{bank}").ExpectProblem(HttpStatusCode.NotFound, "not found");
            await _node.ClientB.GetAsync($"/api/v1/banks/{bank}/signals").ExpectProblem(HttpStatusCode.NotFound);
            await _node.ClientB.GetAsync($"/api/v1/banks/{bank}/export").ExpectProblem(HttpStatusCode.NotFound);
            await _node.ClientB.GetAsync($"/c/bank/{bank}").ExpectProblem(HttpStatusCode.NotFound);
        }

        foreach (var id in new[] { _privateSignal, _groupSignal })
        {
            await _node.ClientB.GetAsync($"/api/v1/signals/{id}").ExpectProblem(HttpStatusCode.NotFound);
            await _node.ClientB.GetAsync($"/api/v1/signals/{id}/opinions").ExpectProblem(HttpStatusCode.NotFound);
        }

        await _node.ClientB.GetAsync($"/c/bank/{_private}/content/{_privateSignal}").ExpectProblem(HttpStatusCode.NotFound);

        // A visible bank's path cannot reach another bank's content.
        await _node.ClientB.GetAsync($"/c/bank/{_all}/content/{_privateSignal}").ExpectProblem(HttpStatusCode.NotFound);
        await _node.ClientC.GetAsync($"/api/v1/signals/{_groupSignal}").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Invisible_banks_cannot_be_modified_through_any_route()
    {
        var b = _node.ClientB;
        string pdq = Http.RandomPdq();
        await b.PostJson($"/api/v1/banks/{_private}/signals", new { signal_type = "pdq", value = pdq }).ExpectProblem(HttpStatusCode.NotFound);
        await b.PostAsync($"/api/v1/banks/{_private}/signals/import", new StringContent($"pdq {pdq}\n", Encoding.UTF8, "text/plain")).ExpectProblem(HttpStatusCode.NotFound);
        await b.PatchJson($"/api/v1/banks/{_private}", new { enabled = false }).ExpectProblem(HttpStatusCode.NotFound);
        await b.DeleteAsync($"/api/v1/banks/{_private}").ExpectProblem(HttpStatusCode.NotFound);
        await b.DeleteAsync($"/api/v1/signals/{_privateSignal}").ExpectProblem(HttpStatusCode.NotFound);
        await b.PostJson($"/api/v1/signals/{_privateSignal}/opinions", new { kind = "negative" }).ExpectProblem(HttpStatusCode.NotFound);
        await b.PostJson($"/c/bank/{_private}/signal", new { pdq }).ExpectProblem(HttpStatusCode.NotFound);
        await b.PostAsync($"/c/bank/{_private}/content", Http.Upload(TestImages.Bytes("misc-images/c.png"), "photo", "c.png")).ExpectProblem(HttpStatusCode.NotFound);
        await b.PutJson($"/c/bank/{_private}", new { enabled = false }).ExpectProblem(HttpStatusCode.NotFound);
        await b.PutJson($"/c/bank/{_private}/content/{_privateSignal}", new { disable_until_ts = 1 }).ExpectProblem(HttpStatusCode.NotFound);
        await b.DeleteAsync($"/c/bank/{_private}/content/{_privateSignal}").ExpectProblem(HttpStatusCode.NotFound);

        // HMA deletes a missing bank with 200 "Done": an invisible one looks missing, and stays.
        Assert.Equal("""{"message":"Done"}""", (await b.DeleteAsync($"/c/bank/{_private}").Expect(HttpStatusCode.OK)).ToJsonString());

        // C sees the group bank: it may contribute to it, but not change or delete it, nor withdraw A's signal.
        await _node.ClientC.AddSignal(_group, Http.RandomPdq());
        await _node.ClientC.PatchJson($"/api/v1/banks/{_group}", new { enabled = false }).ExpectProblem(HttpStatusCode.Forbidden, "owns");
        await _node.ClientC.DeleteAsync($"/api/v1/banks/{_group}").ExpectProblem(HttpStatusCode.Forbidden);
        await _node.ClientC.PutJson($"/c/bank/{_group}", new { enabled = false }).ExpectProblem(HttpStatusCode.Forbidden);
        await _node.ClientC.DeleteAsync($"/c/bank/{_group}").ExpectProblem(HttpStatusCode.Forbidden);
        await _node.ClientC.DeleteAsync($"/api/v1/signals/{_groupSignal}").ExpectProblem(HttpStatusCode.Forbidden, "contributed");
        await _node.ClientC.DeleteAsync($"/c/bank/{_group}/content/{_groupSignal}").ExpectProblem(HttpStatusCode.Forbidden);

        // Nothing changed.
        Assert.Single(Http.MatchedIds(await _node.ClientA.Match(_privatePdq)));
        Assert.Single(Http.MatchedIds(await _node.ClientA.Match(_groupPdq)));
        var bank = await _node.ClientA.GetAsync($"/api/v1/banks/{_group}").Expect(HttpStatusCode.OK);
        Assert.True((bool)bank["enabled"]!);
        var privateBank = await _node.Store.FindBankAsync(_private);
        Assert.DoesNotContain((await _node.Store.ListSignalsAsync(new Storage.SignalQuery(BankId: privateBank!.Id))).Items, s => s.Value == pdq);
    }

    [Fact]
    public async Task A_member_cannot_share_a_bank_with_a_group_it_is_not_in()
    {
        await _node.ClientB.PostJson("/api/v1/banks", new { name = "B_INTO_AC", category = "attack-footage", scope = "group", sharing_group_id = _node.GroupAC.Id })
            .ExpectProblem(HttpStatusCode.Forbidden, "not in sharing group");
    }

    [Fact]
    public async Task Cursors_are_bound_to_the_member_and_the_list_and_cannot_be_edited()
    {
        for (int i = 0; i < 3; i++)
        {
            await _node.ClientA.AddSignal(_group, Http.RandomPdq());
        }

        var pageA = await _node.ClientA.GetAsync($"/api/v1/banks/{_group}/signals?limit=1").Expect(HttpStatusCode.OK);
        string cursor = (string)pageA["next_cursor"]!;

        // The owner continues; C, who sees the same bank, cannot replay A's cursor.
        await _node.ClientA.GetAsync($"/api/v1/banks/{_group}/signals?limit=1&cursor={cursor}").Expect(HttpStatusCode.OK);
        await _node.ClientC.GetAsync($"/api/v1/banks/{_group}/signals?limit=1&cursor={cursor}").ExpectProblem(HttpStatusCode.BadRequest, "cursor is not valid");

        // Another list (another bank, another filter, the bank list) refuses it.
        await _node.ClientA.GetAsync($"/api/v1/banks/{_all}/signals?limit=1&cursor={cursor}").ExpectProblem(HttpStatusCode.BadRequest, "cursor");
        await _node.ClientA.GetAsync($"/api/v1/banks/{_group}/signals?limit=1&status=active&cursor={cursor}").ExpectProblem(HttpStatusCode.BadRequest, "cursor");
        await _node.ClientA.GetAsync($"/api/v1/banks?cursor={cursor}").ExpectProblem(HttpStatusCode.BadRequest, "cursor");

        // Any edit is detected: every character changed in turn, and garbage.
        for (int i = 0; i < cursor.Length; i++)
        {
            char replacement = cursor[i] == 'A' ? 'B' : 'A';
            string edited = string.Concat(cursor.AsSpan(0, i), replacement.ToString(), cursor.AsSpan(i + 1));
            await _node.ClientA.GetAsync($"/api/v1/banks/{_group}/signals?limit=1&cursor={Uri.EscapeDataString(edited)}").ExpectProblem(HttpStatusCode.BadRequest, "cursor");
        }

        await _node.ClientA.GetAsync($"/api/v1/banks/{_group}/signals?cursor=not-a-cursor").ExpectProblem(HttpStatusCode.BadRequest, "cursor");
        await _node.ClientA.GetAsync($"/api/v1/banks/{_group}/signals?cursor={new string('A', 500)}").ExpectProblem(HttpStatusCode.BadRequest, "cursor");
    }
}
