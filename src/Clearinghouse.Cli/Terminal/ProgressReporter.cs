using Spectre.Console;

namespace Clearinghouse.Cli.Terminal;

/// <summary>
/// A progress bar on standard error, shown only when a person is watching it: stderr is a terminal while the
/// results go to a file or a pipe (so the bar never tears the results apart on screen).
/// </summary>
internal static class ProgressReporter
{
    /// <summary>Below this many items a bar is more noise than help.</summary>
    private const int MinimumItems = 20;

    public static bool ShouldShow(TextWriter error, int items) =>
        items >= MinimumItems
        && ReferenceEquals(error, Console.Error)
        && !Console.IsErrorRedirected
        && Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> with a bar of <paramref name="total"/> steps (or none).</summary>
    public static void Run(bool show, string label, int total, Action<Action> work)
    {
        if (!show)
        {
            work(static () => { });
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: total);
                work(() => task.Increment(1));
            });
    }

    /// <summary>
    /// Runs <paramref name="work"/>, which announces stages (a label and a total) and reports each stage's position;
    /// one bar per stage, or nothing when <paramref name="show"/> is false.
    /// </summary>
    public static void RunStages(bool show, Action<Func<string, long, Action<long>>> work)
    {
        if (!show)
        {
            work(static (_, _) => static _ => { });
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx => work((label, total) =>
            {
                var task = ctx.AddTask(label, maxValue: Math.Max(1, total));
                return value => task.Value = value;
            }));
    }

    /// <summary>Whether a person is watching stderr (a terminal) — for work that has no item count up front.</summary>
    public static bool IsWatched(TextWriter error) => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
}
