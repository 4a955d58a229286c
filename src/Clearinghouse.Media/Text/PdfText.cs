using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace Clearinghouse.Media.Text;

/// <summary>A document whose text cannot be extracted, with a one-line reason fit to show a user.</summary>
public sealed class TextExtractionException : Exception
{
    public TextExtractionException()
    {
    }

    public TextExtractionException(string message)
        : base(message)
    {
    }

    public TextExtractionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Limits on what a PDF may make the extractor do.</summary>
public sealed record PdfTextLimits
{
    /// <summary>Refuse documents with more pages than this.</summary>
    public int MaxPages { get; init; } = 20_000;

    /// <summary>Refuse documents whose text is longer than this, in characters.</summary>
    public int MaxCharacters { get; init; } = 64 << 20;
}

/// <summary>
/// The text of a PDF (PdfPig), so that a manifesto or publication in PDF form hashes as text (<c>text_tlsh</c>) as well
/// as by its file digests: pages in order, each page's words (PdfPig's default word extraction) separated by one space,
/// pages separated by a line break. No OCR: a scanned document without a text layer has no text.
/// </summary>
public static class PdfText
{
    /// <summary>Whether the bytes start like a PDF file (<c>%PDF-</c>).</summary>
    public static bool IsPdf(ReadOnlySpan<byte> head) => head.StartsWith("%PDF-"u8);

    /// <summary>Extracts the text of the PDF in <paramref name="document"/> (a seekable stream).</summary>
    /// <exception cref="TextExtractionException">Encrypted, corrupt, or over a limit; the message says which.</exception>
    public static string Extract(Stream document, PdfTextLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        limits ??= new PdfTextLimits();
        try
        {
            using var pdf = PdfDocument.Open(document, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            if (pdf.NumberOfPages > limits.MaxPages)
            {
                throw new TextExtractionException($"the PDF has {pdf.NumberOfPages:N0} pages, over the limit of {limits.MaxPages:N0}");
            }

            var text = new StringBuilder();
            for (int number = 1; number <= pdf.NumberOfPages; number++)
            {
                if (number > 1)
                {
                    text.Append('\n');
                }

                bool first = true;
                foreach (var word in pdf.GetPage(number).GetWords())
                {
                    if (!first)
                    {
                        text.Append(' ');
                    }

                    text.Append(word.Text);
                    first = false;
                    if (text.Length > limits.MaxCharacters)
                    {
                        throw new TextExtractionException($"the PDF's text is over the limit of {limits.MaxCharacters:N0} characters");
                    }
                }
            }

            return text.ToString();
        }
        catch (PdfDocumentEncryptedException ex)
        {
            throw new TextExtractionException("the PDF is encrypted; its text cannot be read", ex);
        }
        catch (Exception ex) when (ex is not TextExtractionException and not OutOfMemoryException and not IOException)
        {
            // PdfPig reports malformed input with many exception types (format, argument, index, invalid-operation).
            throw new TextExtractionException($"not a readable PDF: {ex.Message}", ex);
        }
    }
}
