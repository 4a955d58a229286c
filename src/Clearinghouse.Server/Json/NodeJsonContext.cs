using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Server.Json;

/// <summary>
/// Source-generated serialisers for every body the node reads or writes (no reflection on the hot path),
/// snake_case names as HMA and python-threatexchange use.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SignalTypeInfo[]))]
[JsonSerializable(typeof(HashResponse))]
[JsonSerializable(typeof(HashedSignal))]
[JsonSerializable(typeof(MatchRequest))]
[JsonSerializable(typeof(MatchResult))]
[JsonSerializable(typeof(MatchResponse))]
[JsonSerializable(typeof(UploadMatchResponse))]
[JsonSerializable(typeof(BankInfo))]
[JsonSerializable(typeof(BankCreateRequest))]
[JsonSerializable(typeof(BankUpdateRequest))]
[JsonSerializable(typeof(BankPage))]
[JsonSerializable(typeof(SignalInfo))]
[JsonSerializable(typeof(SignalPage))]
[JsonSerializable(typeof(SignalCreateRequest))]
[JsonSerializable(typeof(ImportReport))]
[JsonSerializable(typeof(DesignationInfo))]
[JsonSerializable(typeof(DesignationInfo[]))]
[JsonSerializable(typeof(DesignationListInfo[]))]
[JsonSerializable(typeof(DesignationImportReport))]
[JsonSerializable(typeof(OfacImportReport))]
[JsonSerializable(typeof(OpinionRequest))]
[JsonSerializable(typeof(RecategoriseRequest))]
[JsonSerializable(typeof(OpinionInfo[]))]
[JsonSerializable(typeof(MatchRecordPage))]
[JsonSerializable(typeof(MemberInfo))]
[JsonSerializable(typeof(MemberInfo[]))]
[JsonSerializable(typeof(MemberCreateRequest))]
[JsonSerializable(typeof(MemberCreated))]
[JsonSerializable(typeof(KeyCreateRequest))]
[JsonSerializable(typeof(IssuedKeyInfo))]
[JsonSerializable(typeof(KeyInfo[]))]
[JsonSerializable(typeof(GroupCreateRequest))]
[JsonSerializable(typeof(GroupInfo))]
[JsonSerializable(typeof(LogEntriesPage))]
[JsonSerializable(typeof(InclusionProofInfo))]
[JsonSerializable(typeof(ConsistencyProofInfo))]
[JsonSerializable(typeof(SignalLogInfo))]
[JsonSerializable(typeof(DisputeFileRequest))]
[JsonSerializable(typeof(DisputeResolveRequest))]
[JsonSerializable(typeof(DisputeInfo))]
[JsonSerializable(typeof(DisputeDetail))]
[JsonSerializable(typeof(DisputePage))]
[JsonSerializable(typeof(NotificationPage))]
[JsonSerializable(typeof(ProofBundle))]
[JsonSerializable(typeof(Clearinghouse.Ledger.Reports.TransparencyReport))]
[JsonSerializable(typeof(HmaBank))]
[JsonSerializable(typeof(HmaBank[]))]
[JsonSerializable(typeof(HmaBankCreateRequest))]
[JsonSerializable(typeof(HmaBankUpdateRequest))]
[JsonSerializable(typeof(HmaRawLookup))]
[JsonSerializable(typeof(HmaRawLookupWithDistance))]
[JsonSerializable(typeof(Dictionary<string, List<HmaMatch>>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, List<HmaMatch>>>))]
[JsonSerializable(typeof(Dictionary<string, HmaIndexStatus>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(HmaContentAdded))]
[JsonSerializable(typeof(HmaContentMetadata))]
[JsonSerializable(typeof(HmaContent))]
[JsonSerializable(typeof(HmaContentConfig))]
[JsonSerializable(typeof(HmaMessage))]
[JsonSerializable(typeof(HmaDeleted))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class NodeJsonContext : JsonSerializerContext;
