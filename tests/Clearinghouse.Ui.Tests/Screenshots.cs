using Clearinghouse.Tests;
using Microsoft.Playwright;

namespace Clearinghouse.Ui.Tests;

/// <summary>Saves full-page PNGs of the UI as test artifacts: $CLEARINGHOUSE_SCREENSHOTS, else TestResults/screenshots.</summary>
internal static class Screenshots
{
    public static string Directory { get; } = Create();

    public static async Task<string> SaveAsync(IPage page, string name)
    {
        string path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000, $"screenshot {path} is (nearly) empty");
        return path;
    }

    private static string Create()
    {
        string directory = Environment.GetEnvironmentVariable("CLEARINGHOUSE_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(TestData.RepositoryRoot, "TestResults", "screenshots");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }
}
