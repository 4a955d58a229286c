using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges.Programs;

/// <summary>
/// StopNCII.org <c>FetchHashes</c>: pages <c>{count, nextPageToken, nextSetTimestamp, hasMoreRecords, hashRecords}</c>
/// of <c>{lastModtimestamp, signalType, hashValue, hashStatus, caseNumbers, CSPFeedbacks}</c>. A record is the
/// current state of one (signalType, hashValue), its key; status Withdrawn or Deleted deletes it. Case numbers are
/// never imported (they belong to the people who asked for the hash). A CSP's Blocked feedback is a positive
/// opinion, NotBlocked alone an investigation seed. The checkpoint is <c>nextSetTimestamp</c>.
/// </summary>
public sealed class StopNciiFormat : JsonProgramFormat
{
    public override ExchangeProgram Program => ExchangeProgram.StopNcii;

    protected override string? PageArrayKey => "hashRecords";

    protected override ProgramRecord ParseRecord(JsonElement record, string where)
    {
        string type = RequiredString(record, "signalType");
        string value = RequiredString(record, "hashValue");
        string key = type + " " + value.Trim().ToLowerInvariant();
        string status = OptionalString(record, "hashStatus", key) ?? "Unknown";
        bool deleted = status is "Withdrawn" or "Deleted";
        var feedback = new List<string>();
        var tags = new List<string>();
        if (record.TryGetProperty("CSPFeedbacks", out JsonElement feedbacks) && feedbacks.ValueKind != JsonValueKind.Null)
        {
            if (feedbacks.ValueKind != JsonValueKind.Array)
            {
                throw new RecordFormatException("field 'CSPFeedbacks' must be an array") { Key = key };
            }

            foreach (JsonElement item in feedbacks.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new RecordFormatException("each CSP feedback must be an object") { Key = key };
                }

                if (OptionalString(item, "feedbackValue", key) is { } kind)
                {
                    feedback.Add(kind);
                    deleted |= kind is "Withdrawn" or "Deleted";
                }

                tags.AddRange(Strings(item, "tags", key).Where(t => !tags.Contains(t, StringComparer.Ordinal)));
            }
        }

        OpinionKind? opinion = feedback.Contains("Blocked") ? OpinionKind.Positive
            : feedback.Contains("NotBlocked") ? OpinionKind.InvestigationSeed
            : null;
        var labels = new JsonObject
        {
            ["signalType"] = type,
            ["hashStatus"] = status,
            ["feedback"] = ToArray(feedback),
            ["tags"] = ToArray(tags),
            ["lastModtimestamp"] = OptionalNumber(record, "lastModtimestamp", key),
        };
        return new ProgramRecord(key, deleted ? [] : [new ProgramHash(type, value)], labels, tags, opinion, deleted, where);
    }

    protected override string? Advance(string? checkpoint, JsonElement record)
    {
        if (OptionalNumber(record, "lastModtimestamp") is not double modified)
        {
            return checkpoint;
        }

        long seconds = (long)modified;
        return checkpoint is not null && long.TryParse(checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out long before) && before >= seconds
            ? checkpoint
            : seconds.ToString(CultureInfo.InvariantCulture);
    }

    protected override string? PageCheckpoint(JsonElement page, string? fromRecords) =>
        page.TryGetProperty("nextSetTimestamp", out JsonElement next) && next.ValueKind == JsonValueKind.Number && next.TryGetInt64(out long seconds)
            ? seconds.ToString(CultureInfo.InvariantCulture)
            : fromRecords;

    protected override bool PageMore(JsonElement page) =>
        page.TryGetProperty("hasMoreRecords", out JsonElement more) && more.ValueKind == JsonValueKind.True;

    /// <summary>The <c>nextPageToken</c> of a page, if any.</summary>
    public static string? NextPageTokenOf(ReadOnlyMemory<byte> page)
    {
        using JsonDocument document = JsonDocument.Parse(page);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("nextPageToken", out JsonElement token) && token.ValueKind == JsonValueKind.String
            ? token.GetString()
            : null;
    }
}
