using System.Net;

namespace Clearinghouse.Server.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task A_signal_added_through_the_api_matches_by_value_and_through_hma()
    {
        await using var node = await NodeHarness.StartAsync();
        await node.ClientA.CreateBank("SMOKE");
        long id = await node.ClientA.AddSignal("SMOKE", Http.PdqA);

        var result = await node.ClientA.Match(Http.FlipBits(Http.PdqA, 5));
        Assert.Equal([id], Http.MatchedIds(result));
        Assert.Equal(5, (int)result["matches"]![0]!["distance"]!);

        var raw = await node.ClientA.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={Http.PdqA}").Expect(HttpStatusCode.OK);
        Assert.Equal($$"""{"matches":[{{id}}]}""", raw.ToJsonString());
    }
}
