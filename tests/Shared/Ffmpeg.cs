using System.Diagnostics;

namespace Clearinghouse.Tests;

/// <summary>Runs the real ffmpeg to make test inputs.</summary>
internal static class Ffmpeg
{
    public static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-hide_banner", "-nostdin", "-v", "error", "-y", .. arguments])
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "ffmpeg did not finish in 60 s");
        Assert.True(process.ExitCode == 0, $"ffmpeg {string.Join(' ', arguments)} failed: {stderr.Result}");
    }
}
