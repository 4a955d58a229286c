using Clearinghouse.Media.Text;
using Clearinghouse.Tests;

namespace Clearinghouse.Media.Tests;

public sealed class PdfTextTests
{
    [Fact]
    public void Text_is_the_words_of_each_page_with_a_line_break_between_pages()
    {
        var pdf = TestPdfs.Make(["We declare our aims", "in this document."], ["Second page here."]);
        Assert.True(PdfText.IsPdf(pdf));
        Assert.Equal("We declare our aims in this document.\nSecond page here.", PdfText.Extract(new MemoryStream(pdf)));
    }

    [Fact]
    public void A_page_without_text_gives_an_empty_line()
    {
        var pdf = TestPdfs.Make([], ["Only the second page has text."]);
        Assert.Equal("\nOnly the second page has text.", PdfText.Extract(new MemoryStream(pdf)));
    }

    [Theory]
    [InlineData("%PDF-1.7\nthis is not a PDF body at all")]
    [InlineData("%PDF-")]
    public void Malformed_pdfs_fail_with_a_one_line_reason(string content)
    {
        var e = Assert.Throws<TextExtractionException>(() => PdfText.Extract(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(content))));
        Assert.StartsWith("not a readable PDF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_and_damaged_pdfs_give_text_or_the_documented_exception_never_another()
    {
        var pdf = TestPdfs.Make(["Some words on a page that will be damaged."], ["And another page."]);
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            var damaged = trial < 100 ? pdf[..rng.Next(5, pdf.Length)] : (byte[])pdf.Clone();
            if (trial >= 100)
            {
                for (int k = 0; k < 8; k++)
                {
                    damaged[rng.Next(5, damaged.Length)] = (byte)rng.Next(256);
                }
            }

            try
            {
                _ = PdfText.Extract(new MemoryStream(damaged));
            }
            catch (TextExtractionException)
            {
            }
        }
    }

    [Fact]
    public void The_page_limit_is_enforced()
    {
        var pdf = TestPdfs.Make(["a"], ["b"], ["c"]);
        var e = Assert.Throws<TextExtractionException>(() => PdfText.Extract(new MemoryStream(pdf), new PdfTextLimits { MaxPages = 2 }));
        Assert.Equal("the PDF has 3 pages, over the limit of 2", e.Message);
    }
}
