namespace Clearinghouse.Storage;

/// <summary>A taxonomy file that cannot be used; the message names the place in the file and what is wrong.</summary>
public sealed class TaxonomyFileException : Exception
{
    public TaxonomyFileException()
    {
    }

    public TaxonomyFileException(string message)
        : base(message)
    {
    }

    public TaxonomyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
