using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Storage.Sql;

/// <summary>The JSON the store keeps in text columns: bank thresholds and signal metadata.</summary>
internal static class StoreJson
{
    private static readonly Dictionary<string, int> NoThresholds = [];

    public static string WriteThresholds(IReadOnlyDictionary<string, int>? thresholds) =>
        thresholds is null || thresholds.Count == 0
            ? "{}"
            : JsonSerializer.Serialize(new SortedDictionary<string, int>(thresholds.ToDictionary(), StringComparer.Ordinal), StoreJsonContext.Default.SortedDictionaryStringInt32);

    public static IReadOnlyDictionary<string, int> ReadThresholds(string json) =>
        json == "{}" ? NoThresholds : JsonSerializer.Deserialize(json, StoreJsonContext.Default.DictionaryStringInt32) ?? NoThresholds;

    /// <summary>True when <paramref name="json"/> is one well-formed JSON object (what signal metadata must be).</summary>
    public static bool IsObject(string json)
    {
        int max = Encoding.UTF8.GetMaxByteCount(json.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int length = Encoding.UTF8.GetBytes(json, buffer);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length), new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(SortedDictionary<string, int>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
