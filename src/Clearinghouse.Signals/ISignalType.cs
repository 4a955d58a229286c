using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Matching;

namespace Clearinghouse.Signals;

/// <summary>
/// A way to turn content into a comparable value, with its own canonical form, distance, default threshold and
/// index (python-threatexchange's SignalType). One class per type; adding a type touches no other code.
/// </summary>
public interface ISignalType
{
    /// <summary>The registry name, lowercase (<c>pdq</c>, <c>md5</c>, …), as in python-threatexchange and HMA.</summary>
    string Name { get; }

    /// <summary>The content types this signal type applies to.</summary>
    IReadOnlyList<ContentType> ContentTypes { get; }

    /// <summary>A match is a distance at most this; 0 for exact types.</summary>
    int DefaultThreshold { get; }

    /// <summary>Whether only equal values match (distance is then 0 or 1).</summary>
    bool IsExact { get; }

    /// <summary>Valid values in canonical form, for documentation and tests.</summary>
    IReadOnlyList<string> Examples { get; }

    /// <summary>
    /// Validates <paramref name="value"/> and returns its canonical form, or false with a precise reason
    /// (what is wrong and where) in <paramref name="reason"/>.
    /// </summary>
    bool TryCanonicalize(string value, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason);

    /// <summary>The canonical form of <paramref name="value"/>.</summary>
    /// <exception cref="FormatException">The value is not valid for this type; the message says why.</exception>
    string Canonicalize(string value) =>
        TryCanonicalize(value, out var canonical, out var reason) ? canonical : throw new FormatException($"Invalid {Name} value: {reason}");

    /// <summary>The distance between two valid values (canonicalised first).</summary>
    /// <exception cref="FormatException">Either value is invalid.</exception>
    int Distance(string a, string b);

    /// <summary>A new, empty index for values of this type, keyed by signal id; it accepts any valid form of a value.</summary>
    ISignalIndex<string> CreateIndex();
}
