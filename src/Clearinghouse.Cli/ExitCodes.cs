namespace Clearinghouse.Cli;

/// <summary>What the process exit status means, for scripts.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>The command ran, but some inputs failed (each is reported).</summary>
    public const int SomeInputsFailed = 1;

    /// <summary>The command line was wrong (unknown option, bad value); nothing was done.</summary>
    public const int UsageError = 2;

    /// <summary>An input file as a whole was unusable (for example a malformed hash list), nothing was done.</summary>
    public const int BadInput = 3;

    /// <summary>An unexpected internal error.</summary>
    public const int InternalError = 70;
}
