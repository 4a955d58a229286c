using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Server.Actions;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Tests;

/// <summary>The pure parts of acting on matches: which rules select which hits, backoff, signatures, media types.</summary>
public sealed class RuleEngineTests
{
    private static readonly RuleHit Active = new(1, "attack-footage", "pdq", 10, SignalStatus.Active);

    private static ActionRule Rule(long id, RuleSelector selector, RuleActions actions, bool enabled = true) =>
        new(id, 1, "r" + id, selector, actions, enabled, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_selector_checks_every_dimension_it_names_and_ignores_empty_ones()
    {
        Assert.True(RuleEngine.Selects(RuleSelector.Any, Active));
        Assert.True(RuleEngine.Selects(RuleSelector.Any with { BankIds = [2, 1] }, Active));
        Assert.False(RuleEngine.Selects(RuleSelector.Any with { BankIds = [2] }, Active));
        Assert.True(RuleEngine.Selects(RuleSelector.Any with { Categories = ["attack-footage"] }, Active));
        Assert.False(RuleEngine.Selects(RuleSelector.Any with { Categories = ["attacker-manifesto"] }, Active));
        Assert.True(RuleEngine.Selects(RuleSelector.Any with { SignalTypes = ["md5", "pdq"] }, Active));
        Assert.False(RuleEngine.Selects(RuleSelector.Any with { SignalTypes = ["md5"] }, Active));
        Assert.True(RuleEngine.Selects(RuleSelector.Any with { MaxDistance = 10 }, Active));
        Assert.False(RuleEngine.Selects(RuleSelector.Any with { MaxDistance = 9 }, Active));
        Assert.False(RuleEngine.Selects(RuleSelector.Any with { BankIds = [1], Categories = ["attack-footage"], SignalTypes = ["md5"] }, Active));
    }

    [Fact]
    public void Disputed_signals_are_selected_only_when_asked_for_and_withdrawn_ones_never()
    {
        RuleHit disputed = Active with { Status = SignalStatus.Disputed };
        RuleHit withdrawn = Active with { Status = SignalStatus.Withdrawn };
        Assert.False(RuleEngine.Selects(RuleSelector.Any, disputed));
        Assert.True(RuleEngine.Selects(RuleSelector.Any with { IncludeDisputed = true }, disputed));
        Assert.False(RuleEngine.Selects(RuleSelector.Any with { IncludeDisputed = true }, withdrawn));
    }

    [Fact]
    public void Review_takes_the_highest_priority_and_webhooks_group_hits_by_endpoint()
    {
        RuleHit[] hits = [Active, Active with { BankId = 2, Distance = 30 }, Active with { SignalType = "md5", Distance = 0 }];
        ActionRule[] rules =
        [
            Rule(1, RuleSelector.Any with { MaxDistance = 20 }, new RuleActions(30, 7)),
            Rule(2, RuleSelector.Any with { BankIds = [2] }, new RuleActions(80, null)),
            Rule(3, RuleSelector.Any with { SignalTypes = ["md5"] }, new RuleActions(null, 9)),
            Rule(4, RuleSelector.Any, new RuleActions(100, 9), enabled: false),
        ];

        RulePlan plan = RuleEngine.Plan(rules, hits);
        Assert.Equal([0, 1, 2], plan.ReviewHits);
        Assert.Equal((80, (long?)2), (plan.ReviewPriority, plan.ReviewRuleId));
        Assert.Equal([7L, 9L], plan.Webhooks.Select(w => w.EndpointId));
        Assert.Equal([0, 2], plan.Webhooks[0].Hits);
        Assert.Equal([1L], plan.Webhooks[0].RuleIds);
        Assert.Equal([2], plan.Webhooks[1].Hits);
        Assert.Equal([3L], plan.Webhooks[1].RuleIds);
    }

    [Fact]
    public void A_record_only_rule_exempts_the_hits_it_selects_from_every_other_rule()
    {
        RuleHit[] hits = [Active, Active with { BankId = 2 }];
        ActionRule[] rules =
        [
            Rule(1, RuleSelector.Any, new RuleActions(50, 7)),
            Rule(2, RuleSelector.Any with { BankIds = [2] }, RuleActions.RecordOnly),
        ];

        RulePlan plan = RuleEngine.Plan(rules, hits);
        Assert.Equal([0], plan.ReviewHits);
        Assert.Equal([0], plan.Webhooks.Single().Hits);

        Assert.True(RuleEngine.Plan([rules[0], rules[1] with { Selector = RuleSelector.Any }], hits).IsEmpty);
        Assert.Equal([0, 1], RuleEngine.Plan([rules[0], rules[1] with { Enabled = false }], hits).ReviewHits);
    }

    [Fact]
    public void No_rules_or_no_selected_hits_plan_nothing()
    {
        Assert.True(RuleEngine.Plan([], [Active]).IsEmpty);
        Assert.True(RuleEngine.Plan([Rule(1, RuleSelector.Any with { MaxDistance = 0 }, new RuleActions(1, 1))], [Active]).IsEmpty);
        Assert.False(RuleEngine.Plan([Rule(1, RuleSelector.Any, new RuleActions(0, null))], [Active]).IsEmpty);
    }

    [Fact]
    public void Backoff_doubles_from_the_base_up_to_the_cap_and_the_jittered_delay_stays_below_it()
    {
        TimeSpan baseDelay = TimeSpan.FromSeconds(10), cap = TimeSpan.FromHours(1);
        Assert.Equal(
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600],
            Enumerable.Range(1, 11).Select(n => (int)WebhookBackoff.Ceiling(n, baseDelay, cap).TotalSeconds));
        var random = new Random(42);
        var delays = Enumerable.Range(0, 2000).Select(_ => WebhookBackoff.Delay(3, baseDelay, cap, random)).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(40)));
        // Full jitter spreads retries over the whole window, not around its end.
        Assert.InRange(delays.Average(d => d.TotalSeconds), 18, 22);
        Assert.Contains(delays, d => d < TimeSpan.FromSeconds(4));
        Assert.Contains(delays, d => d > TimeSpan.FromSeconds(36));
    }

    [Fact]
    public void The_signature_is_hmac_sha256_over_timestamp_dot_body_keyed_with_the_secret()
    {
        byte[] body = """{"id":"whd_x","type":"match"}"""u8.ToArray();
        string header = WebhookSignature.Header("whsec_test", 1_700_000_000, body);
        string expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec_test"), Encoding.UTF8.GetBytes("1700000000." + Encoding.UTF8.GetString(body))));
        Assert.Equal("t=1700000000,v1=" + expected, header);
        Assert.NotEqual(header, WebhookSignature.Header("whsec_other", 1_700_000_000, body));
        Assert.NotEqual(header, WebhookSignature.Header("whsec_test", 1_700_000_001, body));
        Assert.StartsWith("whsec_", WebhookSignature.NewSecret(), StringComparison.Ordinal);
        Assert.NotEqual(WebhookSignature.NewSecret(), WebhookSignature.NewSecret());
    }

    [Fact]
    public void Review_copies_are_served_only_as_image_or_video_types_recognised_from_their_bytes()
    {
        Assert.Equal("image/jpeg", MediaTypes.Sniff(TestImages.Bytes(TestImages.Bridge)));
        Assert.Equal("image/png", MediaTypes.Sniff([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]));
        Assert.Equal("image/gif", MediaTypes.Sniff("GIF89a...."u8));
        Assert.Equal("video/mp4", MediaTypes.Sniff([0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m']));
        Assert.Equal(MediaTypes.Binary, MediaTypes.Sniff("<html><script>alert(1)</script>"u8));
        Assert.Equal(MediaTypes.Binary, MediaTypes.Sniff([]));
    }
}
