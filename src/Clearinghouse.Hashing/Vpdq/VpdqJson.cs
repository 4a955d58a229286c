using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Clearinghouse.Hashing.Vpdq;

/// <summary>
/// python-threatexchange's serialisation of a vPDQ signal (<c>vpdq_util.vpdq_to_json</c>), which HMA stores and
/// exchanges: a JSON array with one string per hashed frame, <c>"pdqHex,quality,timestamp"</c>, the timestamp as
/// Python's <c>format(t, ".3")</c> (3 significant digits: <c>0.0333</c>, <c>1.0</c>, <c>12.5</c>, <c>1.23e+02</c>),
/// written as <c>json.dumps</c> does (<c>["…", "…"]</c>).
/// </summary>
/// <remarks>Frame numbers are not part of this form; parsed features are numbered by their position.</remarks>
public static class VpdqJson
{
    /// <summary>Significant digits python-threatexchange keeps of a timestamp (VPDQ_TIMESTAMP_PRECISION).</summary>
    public const int TimestampPrecision = 3;

    /// <summary>The exact string python-threatexchange produces for these features.</summary>
    public static string Format(IEnumerable<VpdqFeature> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var json = new StringBuilder("[");
        foreach (var feature in features)
        {
            if (json.Length > 1)
            {
                json.Append(", ");
            }

            json.Append(CultureInfo.InvariantCulture, $"\"{feature.Hash},{feature.Quality},{ExactDecimal.PythonGeneral(feature.Timestamp, TimestampPrecision)}\"");
        }

        return json.Append(']').ToString();
    }

    /// <summary>
    /// Parses the JSON form (any JSON spacing), or says what is wrong and where. Each string must be a 64-hex-digit
    /// hash, a quality from 0 to 100 and a finite timestamp ≥ 0, as <c>VpdqCompactFeature.assert_valid</c> demands.
    /// </summary>
    public static bool TryParse(string json, [NotNullWhen(true)] out List<VpdqFeature>? features, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(json);
        features = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException ex)
        {
            reason = $"not valid JSON: {ex.Message}";
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                reason = "expected a JSON array of \"hash,quality,timestamp\" strings";
                return false;
            }

            var parsed = new List<VpdqFeature>(document.RootElement.GetArrayLength());
            foreach (var element in document.RootElement.EnumerateArray())
            {
                int position = parsed.Count;
                if (element.ValueKind != JsonValueKind.String)
                {
                    reason = $"frame {position}: expected a \"hash,quality,timestamp\" string, got {element.ValueKind}";
                    return false;
                }

                if (!TryParseFeature(element.GetString()!, position, out var feature, out string? why))
                {
                    reason = $"frame {position}: {why}";
                    return false;
                }

                parsed.Add(feature);
            }

            features = parsed;
            reason = null;
            return true;
        }
    }

    private static bool TryParseFeature(string text, int position, out VpdqFeature feature, [NotNullWhen(false)] out string? reason)
    {
        feature = default;
        var span = text.AsSpan();
        Span<Range> parts = stackalloc Range[4];
        if (span.Split(parts, ',') != 3)
        {
            reason = $"'{text}' is not \"hash,quality,timestamp\"";
            return false;
        }

        if (!VpdqFields.TryHash(span[parts[0]], out var hash, out reason)
            || !VpdqFields.TryQuality(span[parts[1]], out int quality, out reason)
            || !VpdqFields.TryTimestamp(span[parts[2]], out double seconds, out reason))
        {
            return false;
        }

        feature = new VpdqFeature(position, quality, hash, seconds);
        return true;
    }
}
