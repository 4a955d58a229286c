namespace Clearinghouse.Media.Images;

/// <summary>Why an image could not be decoded.</summary>
public enum ImageDecodeFailure
{
    Empty,
    UnsupportedFormat,
    TooLarge,
    Truncated,
    Corrupt,
}

/// <summary>An image that cannot be decoded, with a one-line reason fit to show a user.</summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException()
    {
    }

    public ImageDecodeException(string message)
        : base(message)
    {
    }

    public ImageDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImageDecodeException(ImageDecodeFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public ImageDecodeFailure Failure { get; } = ImageDecodeFailure.Corrupt;
}
