namespace Clearinghouse.Exchanges;

/// <summary>A page or file is not in the program's format at all (not JSON, wrong shape): nothing of it was applied.</summary>
public sealed class ExchangeFormatException : Exception
{
    public ExchangeFormatException()
    {
    }

    public ExchangeFormatException(string message)
        : base(message)
    {
    }

    public ExchangeFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The program refused the checkpoint or it is too old to trust: the sync starts again with a full fetch.</summary>
public sealed class StaleCheckpointException : Exception
{
    public StaleCheckpointException()
    {
    }

    public StaleCheckpointException(string message)
        : base(message)
    {
    }

    public StaleCheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The program refused the credentials (HTTP 401/403), or none are configured.</summary>
public sealed class ExchangeAuthException : Exception
{
    public ExchangeAuthException()
    {
    }

    public ExchangeAuthException(string message)
        : base(message)
    {
    }

    public ExchangeAuthException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The program could not be reached, or kept failing after the retries, or answered with an unexpected status.</summary>
public sealed class ExchangeUnavailableException : Exception
{
    public ExchangeUnavailableException()
    {
    }

    public ExchangeUnavailableException(string message)
        : base(message)
    {
    }

    public ExchangeUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the last answer, when there was one.</summary>
    public int? StatusCode { get; init; }
}
