namespace Clearinghouse.Storage;

/// <summary>Kinds of store failures a caller can act on; the server maps each to an HTTP status.</summary>
public enum StoreError
{
    NotFound,
    Conflict,
    UnknownCategory,
    Invalid,
}

/// <summary>A store operation refused for a reason the caller can fix; nothing was written.</summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreError error, string message)
        : base(message) => Error = error;

    public StoreException()
    {
    }

    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StoreError Error { get; } = StoreError.Invalid;
}
