namespace Clearinghouse.Server.Tests;

/// <summary>/metrics, run alone (see <see cref="RunsAlone"/>).</summary>
[Collection(RunsAlone.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_expose_requests_lookups_latency_and_index_sizes()
    {
        await using var node = await NodeHarness.StartAsync();
        await node.ClientA.CreateBank("metrics");
        string pdq = Http.RandomPdq();
        await node.ClientA.AddSignal("metrics", pdq);
        await node.ClientA.Match(pdq);
        for (int i = 0; i < 3; i++)
        {
            await node.ClientA.Match(Http.RandomPdq());
        }

        string text = "";
        await Http.Eventually(async () =>
        {
            text = await node.Anonymous.GetStringAsync("/metrics");
            return text.Contains("clearinghouse_lookups_total", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10));
        Assert.Matches("""clearinghouse_lookups_total\{[^}]*outcome="no_match"[^}]*signal_type="pdq"[^}]*\} 3""", text);
        Assert.Matches("""clearinghouse_lookups_total\{[^}]*outcome="match"[^}]*signal_type="pdq"[^}]*\} 1""", text);
        Assert.Matches("""clearinghouse_lookup_duration_seconds_count\{[^}]*signal_type="pdq"[^}]*\} 4""", text);
        Assert.Matches("""clearinghouse_index_signals\{[^}]*signal_type="pdq"[^}]*\} 1""", text);
        Assert.Matches("""clearinghouse_index_signals\{[^}]*signal_type="md5"[^}]*\} 0""", text);
        Assert.Contains("http_server_request_duration_seconds_count", text, StringComparison.Ordinal);
        Assert.Contains("clearinghouse_index_ready 1", text, StringComparison.Ordinal);
    }
}
