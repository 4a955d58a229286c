using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;

namespace Clearinghouse.Server.Ui;

/// <summary>
/// A fragment of HTML that is safe to emit as it is. Built only by <see cref="Html.Of"/>, whose interpolation holes
/// are HTML-encoded unless they are themselves <see cref="Markup"/>: so a page cannot forget to encode a value.
/// </summary>
internal readonly struct Markup
{
    private readonly string? _html;

    internal Markup(string html) => _html = html;

    public static Markup Empty => default;

    public override string ToString() => _html ?? string.Empty;
}

/// <summary>Builds <see cref="Markup"/> from interpolated strings; holes are encoded, literals are trusted.</summary>
internal static class Html
{
    public static Markup Of(ref MarkupHandler handler) => handler.ToMarkup();

    /// <summary>Joins fragments (a list's rows, say).</summary>
    public static Markup Join(IEnumerable<Markup> parts) => new(string.Concat(parts.Select(p => p.ToString())));

    /// <summary>Markup chosen by a condition, nothing otherwise.</summary>
    public static Markup If(bool condition, Markup markup) => condition ? markup : Markup.Empty;

    /// <summary>An HTML-encoded attribute or text value.</summary>
    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);
}

/// <summary>The interpolated string handler behind <see cref="Html.Of"/>.</summary>
[InterpolatedStringHandler]
internal ref struct MarkupHandler
{
    private DefaultInterpolatedStringHandler _inner;

    public MarkupHandler(int literalLength, int formattedCount) =>
        _inner = new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture);

    public void AppendLiteral(string literal) => _inner.AppendLiteral(literal);

    public void AppendFormatted(Markup markup) => _inner.AppendLiteral(markup.ToString());

    public void AppendFormatted(IEnumerable<Markup> markups)
    {
        foreach (var markup in markups)
        {
            _inner.AppendLiteral(markup.ToString());
        }
    }

    public void AppendFormatted(string? text) => _inner.AppendLiteral(Html.Encode(text));

    public void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    public void AppendFormatted<T>(T value, string? format) =>
        _inner.AppendLiteral(Html.Encode(value is IFormattable formattable ? formattable.ToString(format, CultureInfo.InvariantCulture) : value?.ToString()));

    public Markup ToMarkup() => new(_inner.ToStringAndClear());
}
