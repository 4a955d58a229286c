using System.Buffers;
using System.Globalization;
using System.Text;

namespace Clearinghouse.Ledger.Entries;

/// <summary>
/// The canonical JSON of log entries: the RFC 8785 (JCS) form of a flat object whose values are strings and
/// integers. Members sorted by name in UTF-16 code-unit order; no white space; strings as UTF-8 with only the escapes
/// JCS uses (\" \\ \b \f \n \r \t, other code points below U+0020 as \u00xx in lowercase hex, everything else
/// literal); integers in plain decimal within ±(2^53 − 1). Any JCS implementation reproduces these bytes, so anyone
/// can recompute a leaf hash from an entry's fields.
/// </summary>
internal sealed class CanonicalJson
{
    /// <summary>Largest integer JCS writes exactly (IEEE double).</summary>
    public const long MaxSafeInteger = (1L << 53) - 1;

    private readonly List<(string Name, object Value)> _members = [];

    public CanonicalJson Add(string name, string value)
    {
        _members.Add((name, value));
        return this;
    }

    public CanonicalJson Add(string name, long value)
    {
        if (value > MaxSafeInteger || value < -MaxSafeInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"'{name}' is outside the integers JSON carries exactly (±2^53 - 1)");
        }

        _members.Add((name, value));
        return this;
    }

    /// <summary>Adds the member only when <paramref name="value"/> is not null: optional fields are absent, never null.</summary>
    public CanonicalJson AddOptional(string name, string? value) => value is null ? this : Add(name, value);

    public byte[] ToUtf8()
    {
        // Insertion sort: a handful of members, and no comparison delegate to allocate.
        var members = _members.ToArray();
        for (int i = 1; i < members.Length; i++)
        {
            var member = members[i];
            int j = i - 1;
            while (j >= 0 && string.CompareOrdinal(members[j].Name, member.Name) > 0)
            {
                members[j + 1] = members[j];
                j--;
            }

            members[j + 1] = member;
        }

        var output = new ArrayBufferWriter<byte>(512);
        output.Write("{"u8);
        for (int i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                if (members[i].Name == members[i - 1].Name)
                {
                    throw new InvalidOperationException($"member '{members[i].Name}' appears twice");
                }

                output.Write(","u8);
            }

            WriteString(output, members[i].Name);
            output.Write(":"u8);
            if (members[i].Value is string text)
            {
                WriteString(output, text);
            }
            else
            {
                Span<byte> digits = output.GetSpan(20);
                ((long)members[i].Value).TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
                output.Advance(written);
            }
        }

        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string value)
    {
        // Fast path, almost every string: printable ASCII with nothing to escape, so copy it in one go.
        ReadOnlySpan<char> chars = value;
        if (chars.IndexOfAnyExceptInRange(' ', '~') < 0 && chars.IndexOfAny('"', '\\') < 0)
        {
            Span<byte> span = output.GetSpan(value.Length + 2);
            span[0] = (byte)'"';
            int length = Encoding.ASCII.GetBytes(value, span[1..]);
            span[length + 1] = (byte)'"';
            output.Advance(length + 2);
            return;
        }

        output.Write("\""u8);
        int runStart = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                throw new ArgumentException("a lone surrogate cannot be written as UTF-8", nameof(value));
            }

            string? escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => null,
            };
            if (escape is not null)
            {
                output.Write(Encoding.UTF8.GetBytes(value[runStart..i]));
                output.Write(Encoding.ASCII.GetBytes(escape));
                runStart = i + 1;
            }
        }

        output.Write(Encoding.UTF8.GetBytes(value[runStart..]));
        output.Write("\""u8);
    }
}
