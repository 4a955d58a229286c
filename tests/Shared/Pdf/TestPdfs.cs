using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Clearinghouse.Tests;

/// <summary>Real PDFs made by PdfPig's writer (kept out of Shared/*.cs: only projects that have PdfPig link it).</summary>
internal static class TestPdfs
{
    /// <summary>A PDF with one text line per entry, in Helvetica, pages in order.</summary>
    public static byte[] Make(params string[][] pages)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(PageSize.A4);
            double y = 780;
            foreach (string line in lines)
            {
                page.AddText(line, 11, new PdfPoint(40, y), font);
                y -= 16;
            }
        }

        return builder.Build();
    }
}
