using System.Diagnostics;

namespace Clearinghouse.Cli.Tests;

/// <summary>Runs the CLI in-process (fast) or as a separate process (for what needs one: another user).</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args) => RunWithInput(string.Empty, args);

    /// <summary>Runs the CLI in-process with <paramref name="input"/> as its standard input.</summary>
    public static Result RunWithInput(string input, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = CliApp.Run(args, output, error, new StringReader(input));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs the built CLI as root without the capabilities that let root ignore file permissions
    /// (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so a mode-000 directory is as unreadable to it as to anyone.
    /// Unlike switching to another user, this works wherever the build output lives (even under /root).
    /// </summary>
    public static Result RunWithoutPermissionOverride(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "clearinghouse.dll");
        string host = Path.GetFileName(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--bounding-set=-dac_override,-dac_read_search", "--", host, cli, .. args])
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("CLI did not finish in 60 s");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static bool IsRoot => Environment.UserName == "root";
}
