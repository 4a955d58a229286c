using System.Globalization;
using System.Xml;

namespace Clearinghouse.Server.Designations;

/// <summary>A sanctions list file that cannot be used as a whole: not XML, hostile, truncated, too large or not the expected format.</summary>
public sealed class SanctionsFileException : Exception
{
    public SanctionsFileException()
    {
    }

    public SanctionsFileException(string message)
        : base(message)
    {
    }

    public SanctionsFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Reading published sanctions XML safely: a forward-only <see cref="XmlReader"/> that refuses any DTD (so no
/// external entities, no entity expansion — no XXE, no billion laughs), resolves nothing, and stops at a size limit,
/// so memory stays bounded by what the caller keeps, never by the file.
/// </summary>
internal static class SanctionsXml
{
    /// <summary>The default ceiling on a list's size in characters (OFAC's sdn.xml is about 30 MB, SDN_ADVANCED about 100 MB).</summary>
    public const long DefaultMaxCharacters = 256L << 20;

    /// <summary>The longest text a field of interest may hold; longer means the file is not what it claims to be.</summary>
    private const int MaxFieldCharacters = 4096;

    public static XmlReader Open(Stream stream, long maxCharacters) =>
        XmlReader.Create(stream, new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = maxCharacters,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = false,
        });

    /// <summary>Runs <paramref name="read"/>, turning the reader's failures (a DTD, malformed or truncated XML, the size limit) into one precise message.</summary>
    public static T Read<T>(Stream stream, long maxCharacters, string what, Func<XmlReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using XmlReader reader = Open(stream, maxCharacters);
            return read(reader);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new SanctionsFileException($"{what}: refused: the file declares a DTD (<!DOCTYPE …>), which a published list never does and which could expand entities or reach outside; line {ex.LineNumber}", ex);
        }
        catch (XmlException ex) when (ex.Message.Contains("MaxCharactersInDocument", StringComparison.Ordinal) || ex.Message.Contains("maximum allowed", StringComparison.OrdinalIgnoreCase))
        {
            throw new SanctionsFileException($"{what}: refused: larger than the limit of {maxCharacters.ToString("N0", CultureInfo.InvariantCulture)} characters", ex);
        }
        catch (XmlException ex)
        {
            throw new SanctionsFileException($"{what}: not well-formed XML (truncated or damaged?): {ex.Message}", ex);
        }
    }

    /// <summary>The line the reader is on, for messages.</summary>
    public static int LineOf(XmlReader reader) => reader is IXmlLineInfo info ? info.LineNumber : 0;

    /// <summary>Moves to the document's root element and checks its name (namespaces are ignored: OFAC has changed its own).</summary>
    public static void ReadRoot(XmlReader reader, string expected, string what, Func<string, string?>? hintFor = null)
    {
        if (reader.MoveToContent() != XmlNodeType.Element)
        {
            throw new SanctionsFileException($"{what}: the file holds no XML element");
        }

        if (reader.LocalName != expected)
        {
            string hint = hintFor?.Invoke(reader.LocalName) ?? $"expected the root element <{expected}>";
            throw new SanctionsFileException($"{what}: the root element is <{reader.LocalName}>: {hint}");
        }
    }

    /// <summary>Reads the text of a simple element the reader is on and moves past it; refuses absurdly long text.</summary>
    public static string Text(XmlReader reader, string what)
    {
        int line = LineOf(reader);
        string name = reader.LocalName;
        string text = reader.ReadElementContentAsString().Trim();
        return text.Length <= MaxFieldCharacters
            ? text
            : throw new SanctionsFileException($"{what}: line {line}: <{name}> holds {text.Length} characters; at most {MaxFieldCharacters} are expected");
    }

    /// <summary>
    /// Visits the child elements of the element the reader is on, calling <paramref name="child"/> on each with the
    /// reader on it; the callback must consume the child (read its content or <see cref="XmlReader.Skip"/>). Leaves
    /// the reader after the element's end tag.
    /// </summary>
    public static void Children(XmlReader reader, Action<XmlReader> child)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }

        int depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                child(reader);
            }
            else
            {
                reader.Read();
            }
        }

        if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
        {
            reader.Read();
        }
    }
}
