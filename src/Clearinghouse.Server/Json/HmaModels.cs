using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Server.Json;

// HMA's (OpenMediaMatch) request and response shapes, field for field (hasher-matcher-actioner/src/OpenMediaMatch:
// blueprints/*.py and schemas/*.py). Requests ignore unknown members as pydantic does.

/// <summary>HMA's BankConfig: <c>{"name", "matching_enabled_ratio"}</c>.</summary>
public sealed record HmaBank(string Name, double MatchingEnabledRatio);

/// <summary>HMA's BankCreateRequest, plus this node's extensions (HMA banks have no category or sharing).</summary>
public sealed class HmaBankCreateRequest
{
    public string? Name { get; init; }

    public double? EnabledRatio { get; init; }

    public bool? Enabled { get; init; }

    /// <summary>Extension: the taxonomy category (required unless the operator set a default).</summary>
    public string? Category { get; init; }

    /// <summary>Extension: private, group or all_members (default).</summary>
    public string? Scope { get; init; }

    /// <summary>Extension: the group a group-scoped bank is shared with.</summary>
    public long? SharingGroupId { get; init; }

    /// <summary>Extension: a negative (known-benign) bank.</summary>
    public bool? Negative { get; init; }
}

/// <summary>HMA's BankUpdateRequest.</summary>
public sealed class HmaBankUpdateRequest
{
    public string? Name { get; init; }

    public double? EnabledRatio { get; init; }

    public bool? Enabled { get; init; }
}

/// <summary>A match in <c>/m/lookup</c> and <c>/m/raw_lookup?include_distance=true</c>; the distance is a string (python-threatexchange's pretty_str).</summary>
public sealed record HmaMatch(long BankContentId, string Distance);

/// <summary><c>/m/raw_lookup</c>: matching content ids.</summary>
public sealed record HmaRawLookup(IReadOnlyList<long> Matches);

/// <summary><c>/m/raw_lookup?include_distance=true</c>.</summary>
public sealed record HmaRawLookupWithDistance(IReadOnlyList<HmaMatch> Matches);

/// <summary>One entry of <c>/m/index/status</c>.</summary>
public sealed record HmaIndexStatus(bool Present, long BuiltTo, int Size);

/// <summary>What adding content returns: its id and the signals stored.</summary>
public sealed record HmaContentAdded(long Id, IReadOnlyDictionary<string, string> Signals);

/// <summary>HMA's BankedContentMetadata (unknown keys refused, as its extra="forbid").</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class HmaContentMetadata
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ContentId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ContentUri { get; init; }

    [JsonPropertyName("json")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Json { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, List<string>>? Collab { get; init; }
}

/// <summary><c>GET /c/bank/{name}/content/{id}</c> (HMA's BankContentResponse; signals, metadata and note only when present).</summary>
public sealed record HmaContent(
    long Id,
    long DisableUntilTs,
    string? OriginalMediaUri,
    HmaBank Bank,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Signals,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HmaContentMetadata? Metadata,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);

/// <summary><c>PUT /c/bank/{name}/content/{id}</c> answers with HMA's BankContentConfig dataclass.</summary>
public sealed record HmaContentConfig(
    long Id,
    long DisableUntilTs,
    IReadOnlyDictionary<string, IReadOnlyList<string>> CollabMetadata,
    string? OriginalMediaUri,
    HmaBank Bank,
    JsonElement? UserMetadata,
    string? Note);

/// <summary><c>{"message": ...}</c> (HMA's SuccessResponse).</summary>
public sealed record HmaMessage(string Message);

/// <summary><c>{"deleted": n}</c>.</summary>
public sealed record HmaDeleted(int Deleted);
