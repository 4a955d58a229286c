using Clearinghouse.Storage;
using Clearinghouse.Tests;

namespace Clearinghouse.Ui.Tests;

/// <summary>The main pages with a queued item: rendering, accessibility at laptop and tablet widths, screenshots, the blurred preview.</summary>
public sealed class PageTests(UiNode node, Browser browser) : IClassFixture<UiNode>, IClassFixture<Browser>
{
    private static readonly string[] Pages = ["queue", "item", "banks", "banks/A_FOOTAGE", "settings", "rules", "deliveries"];

    /// <summary>Queues a review item for member A with a kept image copy, as the match route does when a rule enqueues an upload.</summary>
    private async Task<long> QueueItemAsync(int priority)
    {
        var signal = (await node.Node.Store.ListSignalsAsync(new SignalQuery(BankId: node.BankOfA.Id))).Items.First(s => s.SignalType == "pdq");
        byte[] image = File.ReadAllBytes(TestData.PathOf("pdq", "images", "bridge-mods", "aaa-orig.jpg"));
        var batch = new MatchBatch(
            node.Node.A.Id,
            [new MatchRecord(0, node.Node.A.Id, signal.Id, node.BankOfA.Id, "pdq", 3, DateTimeOffset.UtcNow)],
            [new NewReviewItem(null, priority, [0], [new ContentSignal("pdq", new string('b', 64))], KeepContent: true)],
            [],
            new NewReviewContent("image/jpeg", image, DateTimeOffset.UtcNow.AddHours(1)));
        var result = await ((IActionStore)node.Node.Store).RecordMatchBatchAsync(batch);
        return Assert.Single(result.ReviewItemIds);
    }

    [Fact]
    public async Task Every_main_page_is_accessible_at_laptop_and_tablet_widths_and_is_saved_as_a_screenshot()
    {
        await node.ReviewerAsync("pages");
        long item = await QueueItemAsync(priority: 10);
        foreach (var (viewport, width) in new[] { (Browser.Laptop, "1366"), (Browser.Tablet, "768") })
        {
            var page = await browser.NewPageAsync(node.BaseAddress, viewport);
            await node.SignInAsync(page, "pages");
            Assert.EndsWith("/ui/queue", page.Url, StringComparison.Ordinal);
            foreach (string name in Pages)
            {
                var response = await page.GotoAsync("/ui/" + (name == "item" ? $"items/{item}" : name));
                Assert.Equal(200, response!.Status);
                await Accessibility.AssertAccessibleAsync(page);
                await Screenshots.SaveAsync(page, $"{width}-{name.Replace('/', '-')}");
            }

            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_preview_is_blurred_and_greyscale_until_revealed_with_the_keyboard()
    {
        await node.ReviewerAsync("preview");
        long item = await QueueItemAsync(priority: 5);
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "preview");
        await page.GotoAsync($"/ui/items/{item}");

        var media = page.Locator("#preview-media");
        string filter = await media.EvaluateAsync<string>("e => getComputedStyle(e).filter");
        Assert.Contains("blur(", filter, StringComparison.Ordinal);
        Assert.Contains("grayscale(1)", filter, StringComparison.Ordinal);
        Assert.True(await media.EvaluateAsync<bool>("e => e.complete && e.naturalWidth > 0"), "the preview image did not load");
        Assert.Contains("Keyboard shortcuts", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);

        await page.Keyboard.PressAsync("v");
        Assert.Equal("none", await media.EvaluateAsync<string>("e => getComputedStyle(e).filter"));
        Assert.Equal("true", await page.Locator("[data-reveal]").GetAttributeAsync("aria-pressed"));
        await Screenshots.SaveAsync(page, "item-revealed");

        // Typing in a field does not trigger shortcuts.
        await page.GetByLabel("Designation reference").FillAsync("v");
        Assert.Equal("none", await media.EvaluateAsync<string>("e => getComputedStyle(e).filter"));
    }

    [Fact]
    public async Task A_reviewer_who_turned_blurring_off_sees_previews_plainly()
    {
        var reviewer = await node.ReviewerAsync("noblur");
        await node.Reviewers.UpdateReviewerSettingsAsync(reviewer.Id, ReviewerSettings.Default with { BlurPreviews = false });
        long item = await QueueItemAsync(priority: 5);
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "noblur");
        await page.GotoAsync($"/ui/items/{item}");
        Assert.Equal("none", await page.Locator("#preview-media").EvaluateAsync<string>("e => getComputedStyle(e).filter"));
        Assert.Equal(0, await page.Locator("[data-reveal]").CountAsync());
    }

    [Fact]
    public async Task The_queue_filters_by_bank_and_priority_and_shows_only_visible_banks()
    {
        await node.ReviewerAsync("filters");
        long item = await QueueItemAsync(priority: 42);
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "filters");

        await page.GotoAsync("/ui/queue?priority=42");
        Assert.Equal(1, await page.Locator($"a[href='/ui/items/{item}']").CountAsync());
        await page.GotoAsync("/ui/queue?priority=43");
        Assert.Equal(0, await page.Locator($"a[href='/ui/items/{item}']").CountAsync());
        await page.GotoAsync($"/ui/queue?bank={node.SharedBankOfB.Id}");
        Assert.Equal(0, await page.Locator("tbody tr").CountAsync());
        await page.GotoAsync($"/ui/queue?bank={node.BankOfA.Id}&sort=priority");
        Assert.Equal($"/ui/items/{item}", await page.Locator("tbody tr a").First.GetAttributeAsync("href"));

        var bankOptions = await page.Locator("#f-bank option").AllTextContentsAsync();
        Assert.Contains("A_FOOTAGE", bankOptions);
        Assert.Contains("B_MANIFESTOS", bankOptions);
        Assert.DoesNotContain("B_PRIVATE", bankOptions);
    }

    [Fact]
    public async Task The_first_tab_reaches_the_skip_link_and_focus_is_visible()
    {
        await node.ReviewerAsync("keyboard");
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "keyboard");
        await page.GotoAsync("/ui/banks");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to main content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Queue", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
    }
}
