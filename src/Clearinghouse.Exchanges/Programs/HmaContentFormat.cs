using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clearinghouse.Exchanges.Programs;

/// <summary>
/// HMA bank content as its curation API returns it (<c>GET /c/bank/{name}/content/{id}?include_signals=true</c>):
/// <c>{id, disable_until_ts, original_media_uri, bank: {name, matching_enabled_ratio}, signals: {type: value}}</c>,
/// as a JSON array or one item per line. The key is the content id; content that is disabled (<c>disable_until_ts</c>
/// other than 1, HMA's "enabled") is a delete. Notes, metadata and media URIs are not imported.
/// </summary>
public sealed class HmaContentFormat : JsonProgramFormat
{
    public override ExchangeProgram Program => ExchangeProgram.Hma;

    protected override string? PageArrayKey => null;

    protected override ProgramRecord ParseRecord(JsonElement record, string where)
    {
        string key = RequiredId(record, "id");
        double? disableUntil = OptionalNumber(record, "disable_until_ts", key);
        bool deleted = disableUntil is double until && until != 1;
        string? bank = record.TryGetProperty("bank", out JsonElement b) ? b.ValueKind switch
        {
            JsonValueKind.String => b.GetString(),
            JsonValueKind.Object => OptionalString(b, "name", key),
            JsonValueKind.Null => null,
            _ => throw new RecordFormatException("field 'bank' must be a name or {\"name\": ...}") { Key = key },
        } : null;
        var hashes = new List<ProgramHash>();
        if (record.TryGetProperty("signals", out JsonElement signals) && signals.ValueKind != JsonValueKind.Null)
        {
            if (signals.ValueKind != JsonValueKind.Object)
            {
                throw new RecordFormatException("field 'signals' must be an object of signal type: value") { Key = key };
            }

            foreach (JsonProperty signal in signals.EnumerateObject())
            {
                hashes.Add(new ProgramHash(signal.Name, signal.Value.ValueKind == JsonValueKind.String
                    ? signal.Value.GetString()!
                    : throw new RecordFormatException($"signals.{signal.Name} must be a string") { Key = key }));
            }
        }
        else if (!deleted)
        {
            throw new RecordFormatException("field 'signals' is missing (export with include_signals=true)") { Key = key };
        }

        var labels = new JsonObject
        {
            ["id"] = key,
            ["bank"] = bank,
            ["disable_until_ts"] = disableUntil,
        };
        return new ProgramRecord(key, hashes, labels, bank is null ? [] : [bank], null, deleted, where);
    }
}
