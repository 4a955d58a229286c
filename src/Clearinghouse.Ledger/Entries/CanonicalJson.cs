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

    // Every entry has at most a dozen members: a fixed array, no boxing of numbers, no list growth. Entries are
    // built for every signal a bulk import adds, so this is on the import's hot path.
    private Member[] _members = new Member[12];
    private int _count;

    public CanonicalJson Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Append(new Member(name, value, 0));
        return this;
    }

    public CanonicalJson Add(string name, long value)
    {
        if (value > MaxSafeInteger || value < -MaxSafeInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"'{name}' is outside the integers JSON carries exactly (±2^53 - 1)");
        }

        Append(new Member(name, null, value));
        return this;
    }

    /// <summary>Adds the member only when <paramref name="value"/> is not null: optional fields are absent, never null.</summary>
    public CanonicalJson AddOptional(string name, string? value) => value is null ? this : Add(name, value);

    public byte[] ToUtf8()
    {
        // Insertion sort: a handful of members, and no comparison delegate to allocate.
        Span<Member> members = _members.AsSpan(0, _count);
        for (int i = 1; i < members.Length; i++)
        {
            Member member = members[i];
            int j = i - 1;
            while (j >= 0 && string.CompareOrdinal(members[j].Name, member.Name) > 0)
            {
                members[j + 1] = members[j];
                j--;
            }

            members[j + 1] = member;
        }

        // Worst case per UTF-16 unit: 6 bytes (a \u00xx escape); 20 per number; quotes, colon and comma per member.
        int bound = 2;
        foreach (Member member in members)
        {
            bound += (6 * member.Name.Length) + (member.Text is null ? 20 : 6 * member.Text.Length) + 6;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            Span<byte> output = rented;
            int at = 0;
            output[at++] = (byte)'{';
            for (int i = 0; i < members.Length; i++)
            {
                if (i > 0)
                {
                    if (members[i].Name == members[i - 1].Name)
                    {
                        throw new InvalidOperationException($"member '{members[i].Name}' appears twice");
                    }

                    output[at++] = (byte)',';
                }

                at += WriteString(output[at..], members[i].Name);
                output[at++] = (byte)':';
                if (members[i].Text is { } text)
                {
                    at += WriteString(output[at..], text);
                }
                else
                {
                    members[i].Number.TryFormat(output[at..], out int written, default, CultureInfo.InvariantCulture);
                    at += written;
                }
            }

            output[at++] = (byte)'}';
            return output[..at].ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Append(Member member)
    {
        if (_count == _members.Length)
        {
            Array.Resize(ref _members, _count * 2);
        }

        _members[_count++] = member;
    }

    /// <summary>Writes <paramref name="value"/> as a JCS string into <paramref name="output"/>; the bytes written.</summary>
    private static int WriteString(Span<byte> output, string value)
    {
        // Fast path, almost every string: printable ASCII with nothing to escape, so copy it in one go.
        ReadOnlySpan<char> chars = value;
        if (chars.IndexOfAnyExceptInRange(' ', '~') < 0 && chars.IndexOfAny('"', '\\') < 0)
        {
            output[0] = (byte)'"';
            int length = Encoding.ASCII.GetBytes(chars, output[1..]);
            output[length + 1] = (byte)'"';
            return length + 2;
        }

        int at = 0;
        output[at++] = (byte)'"';
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
                at += Encoding.UTF8.GetBytes(chars[runStart..i], output[at..]);
                at += Encoding.ASCII.GetBytes(escape, output[at..]);
                runStart = i + 1;
            }
        }

        at += Encoding.UTF8.GetBytes(chars[runStart..], output[at..]);
        output[at++] = (byte)'"';
        return at;
    }

    /// <summary>One member: a string (<see cref="Text"/> set) or an integer.</summary>
    private readonly record struct Member(string Name, string? Text, long Number);
}
