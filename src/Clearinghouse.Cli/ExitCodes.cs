namespace Clearinghouse.Cli;

/// <summary>What the process exit status means, for scripts.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done (<c>match</c>: no input matched).</summary>
    public const int Success = 0;

    /// <summary>The command ran, but some inputs failed (each is reported); <c>import</c>: some lines were not imported.</summary>
    public const int SomeInputsFailed = 1;

    /// <summary>The command line was wrong (unknown option, bad value); nothing was done.</summary>
    public const int UsageError = 2;

    /// <summary>An input file as a whole was unusable (for example a malformed hash list), nothing was done.</summary>
    public const int BadInput = 3;

    /// <summary>The node or the store could not be reached or used (connection refused, database down, a 5xx answer).</summary>
    public const int Unavailable = 4;

    /// <summary>
    /// The node or the store refused the request, for a reason the message gives (wrong or revoked API key, missing
    /// scope, no such bank or member, name taken); nothing was done.
    /// </summary>
    public const int Refused = 5;

    /// <summary><c>verify</c>: the log, a proof or a bundle does not verify (the message says precisely what and where).</summary>
    public const int VerificationFailed = 6;

    /// <summary><c>match</c>: at least one input matched a signal (grep-like: a match is news, not an error).</summary>
    public const int Matched = 10;

    /// <summary>An unexpected internal error.</summary>
    public const int InternalError = 70;
}
