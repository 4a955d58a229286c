using System.Text.Json;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Api;

/// <summary>Store records to API bodies, and API words to store enums.</summary>
internal static class Mapping
{
    public static string ScopeName(SharingScope scope) => scope switch
    {
        SharingScope.Private => "private",
        SharingScope.Group => "group",
        _ => "all_members",
    };

    public static SharingScope ParseScope(string text) => text.Trim().ToLowerInvariant() switch
    {
        "private" => SharingScope.Private,
        "group" => SharingScope.Group,
        "all_members" or "all" => SharingScope.AllMembers,
        _ => throw Problems.BadRequest($"scope '{text}' is not one of: private, group, all_members."),
    };

    public static string StatusName(SignalStatus status) => status switch
    {
        SignalStatus.Active => "active",
        SignalStatus.Disputed => "disputed",
        _ => "withdrawn",
    };

    public static SignalStatus ParseStatus(string text) => text.Trim().ToLowerInvariant() switch
    {
        "active" => SignalStatus.Active,
        "disputed" => SignalStatus.Disputed,
        "withdrawn" => SignalStatus.Withdrawn,
        _ => throw Problems.BadRequest($"status '{text}' is not one of: active, disputed, withdrawn."),
    };

    public static string OpinionName(OpinionKind kind) => kind switch
    {
        OpinionKind.Positive => "positive",
        OpinionKind.Negative => "negative",
        _ => "investigation_seed",
    };

    public static OpinionKind ParseOpinion(string text) => text.Trim().ToLowerInvariant() switch
    {
        "positive" => OpinionKind.Positive,
        "negative" or "false_positive" => OpinionKind.Negative,
        "investigation_seed" => OpinionKind.InvestigationSeed,
        _ => throw Problems.BadRequest($"opinion kind '{text}' is not one of: positive, negative, investigation_seed."),
    };

    public static OpinionCounts Counts(OpinionSummary summary) => new(summary.Positive, summary.Negative, summary.InvestigationSeed);

    public static BankInfo ToInfo(Bank bank) => new(
        bank.Id, bank.Name, bank.Category, bank.OwnerMemberId, ScopeName(bank.Scope), bank.SharingGroupId, bank.Enabled, bank.Negative,
        bank.Thresholds, bank.Description, bank.CreatedAt);

    public static SignalInfo ToInfo(Signal signal, string bankName) => new(
        signal.Id, signal.PublicId, signal.SignalType, signal.Value, bankName, signal.BankId, signal.Category, signal.Designation,
        signal.ContributorMemberId, signal.CreatedAt, StatusName(signal.Status), Counts(signal.Opinions), ParseMetadata(signal.Metadata));

    public static MatchItem ToItem(Signal signal, Bank bank, int distance) => new(
        signal.Id, signal.PublicId, bank.Name, bank.Id, signal.Category, signal.Designation, distance, StatusName(signal.Status), Counts(signal.Opinions));

    public static MemberInfo ToInfo(Member member) => new(member.Id, member.Name, member.CreatedAt, member.Active);

    public static JsonElement? ParseMetadata(string? metadata)
    {
        if (string.IsNullOrEmpty(metadata))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(metadata);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
