namespace Clearinghouse.Ledger.Auditing;

/// <summary>What an audit found wrong.</summary>
public enum LogFailure
{
    /// <summary>The checkpoint is not validly signed by the log's key (or by no trusted key at all).</summary>
    BadSignature,

    /// <summary>The checkpoint is well signed but for another log (origin).</summary>
    WrongLog,

    /// <summary>The checkpoint note or text is malformed.</summary>
    MalformedCheckpoint,

    /// <summary>An entry is not a canonical log entry.</summary>
    MalformedEntry,

    /// <summary>An entry is missing from the sequence: a later one stands in its place.</summary>
    DroppedEntry,

    /// <summary>An entry stands at another entry's position and its own position holds another entry.</summary>
    ReorderedEntry,

    /// <summary>An entry appears again at a later position.</summary>
    DuplicatedEntry,

    /// <summary>An entry differs from the one verified before at its index.</summary>
    EditedEntry,

    /// <summary>The sequence ends before the checkpoint's size.</summary>
    MissingEntries,

    /// <summary>The sequence goes past the checkpoint's size.</summary>
    ExtraEntries,

    /// <summary>The entries do not hash to the signed root.</summary>
    RootMismatch,

    /// <summary>The log signed a history that contradicts one it signed before: two roots for one size, or growth
    /// that is not an extension of the trusted tree.</summary>
    Fork,

    /// <summary>The auditor's own saved state does not hold together (tiles versus trusted checkpoint).</summary>
    InconsistentState,
}

/// <summary>An audit failed; <see cref="Failure"/> says how, <see cref="Index"/> where when an entry is to blame.</summary>
public sealed class LogVerificationException : Exception
{
    public LogVerificationException(LogFailure failure, string message, long? index = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Index = index;
    }

    public LogVerificationException()
    {
    }

    public LogVerificationException(string message)
        : base(message)
    {
    }

    public LogVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LogFailure Failure { get; }

    /// <summary>The log index of the offending entry, if one is to blame.</summary>
    public long? Index { get; }
}
