namespace Clearinghouse.Signals;

/// <summary>What kind of content a signal type hashes (python-threatexchange's ContentType).</summary>
public enum ContentType
{
    Photo,
    Video,
    Text,
    Url,
    PaymentIdentifier,
    File,
}
