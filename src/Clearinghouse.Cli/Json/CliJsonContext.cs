using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Clearinghouse.Server.Json;

namespace Clearinghouse.Cli.Json;

/// <summary>A member with its keys, as <c>clearinghouse member list --json</c> prints it (one per line).</summary>
internal sealed record MemberListing(long Id, string Name, DateTimeOffset CreatedAt, bool Active, IReadOnlyList<KeyInfo> Keys);

/// <summary>A revoked key, as <c>clearinghouse member revoke-key --json</c> prints it.</summary>
internal sealed record KeyRevoked(string KeyId, bool Revoked);

/// <summary>One input of <c>clearinghouse match</c> and the node's answer for each of its signals.</summary>
internal sealed record MatchOutput(
    string Input,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    IReadOnlyList<MatchResult> Results,
    bool Matched);

/// <summary>What <c>clearinghouse export --out FILE --json</c> reports.</summary>
internal sealed record ExportSummary(string Bank, string Format, long Signals, string? Out);

/// <summary>Source-generated JSON for the CLI's own output shapes (snake_case, as the node's API).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MemberListing))]
[JsonSerializable(typeof(KeyRevoked))]
[JsonSerializable(typeof(ReviewerInfo))]
[JsonSerializable(typeof(MatchOutput))]
[JsonSerializable(typeof(ExportSummary))]
[JsonSerializable(typeof(Bench.ImportBenchResult))]
[JsonSerializable(typeof(Bench.LogBenchResult))]
[JsonSerializable(typeof(Bench.FederationBenchResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>Writes one JSON object per line, keeping characters such as '&amp;' and quotes readable.</summary>
internal static class JsonLines
{
    private static readonly JsonSerializerOptions Relaxed = new(NodeJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(NodeJsonContext.Default, CliJsonContext.Default),
    };

    public static void Write<T>(TextWriter output, T value)
    {
        output.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Relaxed.GetTypeInfo(typeof(T))));
    }
}
