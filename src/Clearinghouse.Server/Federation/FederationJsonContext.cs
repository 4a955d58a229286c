using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Server.Federation;

/// <summary>Source-generated serialisers for the federation routes and the peer client (snake_case, like the rest of the API).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(FeedPage))]
[JsonSerializable(typeof(PeerCreateRequest))]
[JsonSerializable(typeof(PeerInfo))]
[JsonSerializable(typeof(PeerInfo[]))]
[JsonSerializable(typeof(ProvenanceInfo))]
[JsonSerializable(typeof(PeerOpinionBody))]
[JsonSerializable(typeof(PeerDisputeBody))]
[JsonSerializable(typeof(PeerEntriesPage))]
[JsonSerializable(typeof(PeerConsistencyProof))]
public sealed partial class FederationJsonContext : JsonSerializerContext;
