using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges.Programs;

/// <summary>
/// ThreatExchange <c>threat_updates</c>: pages <c>{data, paging: {cursors, next}}</c> of indicator updates
/// <c>{id, indicator, type, last_updated, should_delete, descriptors: {data: [{status, tags, reactions, ...}]}}</c>.
/// The record key is the indicator's id. Descriptor statuses give the opinion (any MALICIOUS: positive; otherwise
/// any NON_MALICIOUS: negative; otherwise investigation seed); their tags are the record's tags; reactions are kept
/// as counts. Owners, descriptions and descriptor ids are not imported. The checkpoint is the newest
/// <c>last_updated</c> (Unix seconds) seen.
/// </summary>
public sealed class ThreatUpdatesFormat : JsonProgramFormat
{
    public override ExchangeProgram Program => ExchangeProgram.ThreatExchange;

    protected override string? PageArrayKey => "data";

    protected override ProgramRecord ParseRecord(JsonElement record, string where)
    {
        string key = RequiredId(record, "id");
        string type = RequiredString(record, "type", key);
        bool deleted = OptionalBool(record, "should_delete", key);
        string? indicator = deleted ? OptionalString(record, "indicator", key) : RequiredString(record, "indicator", key);
        var tags = new List<string>();
        var statuses = new List<string>();
        var reactions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (record.TryGetProperty("descriptors", out JsonElement descriptors) && descriptors.ValueKind != JsonValueKind.Null)
        {
            JsonElement list = descriptors.ValueKind == JsonValueKind.Object && descriptors.TryGetProperty("data", out JsonElement data) ? data : descriptors;
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new RecordFormatException("field 'descriptors' must be {\"data\": [...]} or an array") { Key = key };
            }

            foreach (JsonElement descriptor in list.EnumerateArray())
            {
                if (descriptor.ValueKind != JsonValueKind.Object)
                {
                    throw new RecordFormatException("each descriptor must be an object") { Key = key };
                }

                if (OptionalString(descriptor, "status", key) is { } status && !statuses.Contains(status))
                {
                    statuses.Add(status);
                }

                foreach (string tag in TagsOf(descriptor, key))
                {
                    if (!tags.Contains(tag, StringComparer.Ordinal))
                    {
                        tags.Add(tag);
                    }
                }

                foreach (string reaction in ReactionsOf(descriptor, key))
                {
                    reactions[reaction] = reactions.GetValueOrDefault(reaction) + 1;
                }
            }
        }

        OpinionKind opinion = statuses.Contains("MALICIOUS") ? OpinionKind.Positive
            : statuses.Contains("NON_MALICIOUS") ? OpinionKind.Negative
            : OpinionKind.InvestigationSeed;
        var reactionCounts = new JsonObject();
        foreach ((string name, int count) in reactions)
        {
            reactionCounts[name] = count;
        }

        var labels = new JsonObject
        {
            ["id"] = key,
            ["type"] = type,
            ["status"] = ToArray(statuses),
            ["tags"] = ToArray(tags),
            ["reactions"] = reactionCounts,
            ["last_updated"] = OptionalNumber(record, "last_updated", key),
        };
        return new ProgramRecord(key, deleted ? [] : [new ProgramHash(type, indicator!)], labels, tags, opinion, deleted, where);
    }

    protected override string? Advance(string? checkpoint, JsonElement record)
    {
        if (OptionalNumber(record, "last_updated") is not double updated)
        {
            return checkpoint;
        }

        long seconds = (long)updated;
        return checkpoint is not null && long.TryParse(checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out long before) && before >= seconds
            ? checkpoint
            : seconds.ToString(CultureInfo.InvariantCulture);
    }

    protected override bool PageMore(JsonElement page) =>
        page.TryGetProperty("paging", out JsonElement paging) && paging.ValueKind == JsonValueKind.Object
        && paging.TryGetProperty("next", out JsonElement next) && next.ValueKind == JsonValueKind.String && next.GetString()!.Length > 0;

    /// <summary>The <c>paging.next</c> URL of a page, if any.</summary>
    public static string? NextOf(ReadOnlyMemory<byte> page)
    {
        using JsonDocument document = JsonDocument.Parse(page);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("paging", out JsonElement paging) && paging.ValueKind == JsonValueKind.Object
            && paging.TryGetProperty("next", out JsonElement next) && next.ValueKind == JsonValueKind.String
            ? next.GetString()
            : null;
    }

    private static IEnumerable<string> TagsOf(JsonElement descriptor, string key)
    {
        if (!descriptor.TryGetProperty("tags", out JsonElement tags) || tags.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        // Tags come as strings, or (Graph API expansion) as {"data": [{"text": ...}]}.
        JsonElement list = tags.ValueKind == JsonValueKind.Object && tags.TryGetProperty("data", out JsonElement data) ? data : tags;
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new RecordFormatException("a descriptor's 'tags' must be an array") { Key = key };
        }

        foreach (JsonElement tag in list.EnumerateArray())
        {
            yield return tag.ValueKind switch
            {
                JsonValueKind.String => tag.GetString()!,
                JsonValueKind.Object when tag.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String => text.GetString()!,
                _ => throw new RecordFormatException("a descriptor tag must be a string or {\"text\": ...}") { Key = key },
            };
        }
    }

    private static IEnumerable<string> ReactionsOf(JsonElement descriptor, string key)
    {
        if (!descriptor.TryGetProperty("reactions", out JsonElement reactions) || reactions.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        if (reactions.ValueKind != JsonValueKind.Array)
        {
            throw new RecordFormatException("a descriptor's 'reactions' must be an array") { Key = key };
        }

        // As strings, or {"key": "HELPFUL", "value": "<who>"} (only the kind is kept: who reacted is not imported).
        foreach (JsonElement reaction in reactions.EnumerateArray())
        {
            yield return reaction.ValueKind switch
            {
                JsonValueKind.String => reaction.GetString()!,
                JsonValueKind.Object when reaction.TryGetProperty("key", out JsonElement kind) && kind.ValueKind == JsonValueKind.String => kind.GetString()!,
                _ => throw new RecordFormatException("a reaction must be a string or {\"key\": ...}") { Key = key },
            };
        }
    }
}
