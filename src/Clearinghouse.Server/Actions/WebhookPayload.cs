using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Server.Actions;

/// <summary>
/// The JSON body of a webhook call (event type <c>match</c>): the member's matched signals a rule selected, with
/// the content's own signals. Nothing about the end user who posted the content: the node never has it.
/// </summary>
/// <param name="Id">The delivery's idempotency key (also sent as the <c>Idempotency-Key</c> header).</param>
/// <param name="Review">Whether the same lookup was enqueued for review.</param>
public sealed record WebhookPayload(
    string Id,
    string Type,
    DateTimeOffset CreatedAt,
    string Member,
    IReadOnlyList<WebhookContentSignal> ContentSignals,
    IReadOnlyList<WebhookMatch> Matches,
    IReadOnlyList<long> RuleIds,
    bool Review);

/// <summary>One of the content's own signals (what the member looked up).</summary>
public sealed record WebhookContentSignal(string SignalType, string Value);

/// <summary>One matched signal.</summary>
public sealed record WebhookMatch(
    long SignalId,
    string PublicId,
    string SignalType,
    string Bank,
    long BankId,
    string Category,
    string? Designation,
    int Distance,
    string Status);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
