namespace Clearinghouse.Server.Federation;

/// <summary>
/// The peer's log or feed failed verification (bad signature, a fork, entries that do not hash to the signed root, a
/// value that does not match its commitment): the sync stops and stays stopped until the operator re-enables the peer.
/// </summary>
public sealed class PeerVerificationException : Exception
{
    public PeerVerificationException()
    {
    }

    public PeerVerificationException(string message)
        : base(message)
    {
    }

    public PeerVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The peer could not be reached, timed out, answered 5xx or refused a request: retried later, with backoff.</summary>
public sealed class PeerUnavailableException : Exception
{
    public PeerUnavailableException()
    {
    }

    public PeerUnavailableException(string message)
        : base(message)
    {
    }

    public PeerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
