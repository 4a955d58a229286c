using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Storage.Sql;

/// <summary>The JSON the action tables keep in text columns: rule selectors, content signals and audited rules.</summary>
internal static class ActionJson
{
    public static string WriteIds(IReadOnlyList<long> ids) => JsonSerializer.Serialize([.. ids], ActionJsonContext.Default.Int64Array);

    public static long[] ReadIds(string json) => JsonSerializer.Deserialize(json, ActionJsonContext.Default.Int64Array) ?? [];

    public static string WriteStrings(IReadOnlyList<string> values) => JsonSerializer.Serialize([.. values], ActionJsonContext.Default.StringArray);

    public static string[] ReadStrings(string json) => JsonSerializer.Deserialize(json, ActionJsonContext.Default.StringArray) ?? [];

    public static string WriteContentSignals(IReadOnlyList<ContentSignal> signals) =>
        JsonSerializer.Serialize([.. signals.Select(s => new StoredContentSignal(s.SignalType, s.Value))], ActionJsonContext.Default.StoredContentSignalArray);

    public static ContentSignal[] ReadContentSignals(string json) =>
        [.. (JsonSerializer.Deserialize(json, ActionJsonContext.Default.StoredContentSignalArray) ?? []).Select(s => new ContentSignal(s.Type, s.Value))];

    /// <summary>A rule as its audit keeps it.</summary>
    public static string WriteRule(ActionRule rule) => JsonSerializer.Serialize(
        new AuditedRule(
            rule.Id,
            rule.Name,
            rule.Enabled,
            [.. rule.Selector.BankIds],
            [.. rule.Selector.Categories],
            [.. rule.Selector.SignalTypes],
            rule.Selector.MaxDistance,
            rule.Selector.IncludeDisputed,
            rule.Actions.ReviewPriority,
            rule.Actions.WebhookEndpointId),
        ActionJsonContext.Default.AuditedRule);
}

internal sealed record StoredContentSignal(string Type, string Value);

internal sealed record AuditedRule(
    long Id,
    string Name,
    bool Enabled,
    long[] BankIds,
    string[] Categories,
    string[] SignalTypes,
    int? MaxDistance,
    bool IncludeDisputed,
    int? ReviewPriority,
    long? WebhookEndpointId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(StoredContentSignal[]))]
[JsonSerializable(typeof(AuditedRule))]
internal sealed partial class ActionJsonContext : JsonSerializerContext;
