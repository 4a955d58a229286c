using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges.Programs;

/// <summary>
/// Tech Against Terrorism's TCAP hash list (<c>api/hash-list/v2</c>): pages <c>{count, next, previous, checkpoint,
/// results}</c> of entries <c>{id, hash_digest, algorithm, ideology, file_type, deleted, updated_on}</c>, in
/// (updated_on, id) order; the checkpoint is <c>"&lt;updated_on&gt;,&lt;id&gt;"</c> of the last entry. The ideology
/// is kept as a label (python-threatexchange drops it) and is the record's tag for category mapping.
/// </summary>
public sealed class TcapFormat : JsonProgramFormat
{
    public override ExchangeProgram Program => ExchangeProgram.Tcap;

    protected override string? PageArrayKey => "results";

    protected override ProgramRecord ParseRecord(JsonElement record, string where)
    {
        string key = RequiredId(record, "id");
        bool deleted = OptionalBool(record, "deleted", key);
        string? ideology = OptionalString(record, "ideology", key);
        string? fileType = OptionalString(record, "file_type", key);
        double? updated = OptionalNumber(record, "updated_on", key);
        var labels = new JsonObject { ["id"] = key };
        List<ProgramHash> hashes = [];
        string? algorithm = null;
        if (!deleted)
        {
            algorithm = RequiredString(record, "algorithm", key);
            hashes.Add(new ProgramHash(algorithm, RequiredString(record, "hash_digest", key)));
        }

        labels["algorithm"] = algorithm ?? OptionalString(record, "algorithm", key);
        labels["ideology"] = ideology;
        labels["file_type"] = fileType;
        labels["updated_on"] = updated;
        return new ProgramRecord(key, hashes, labels, ideology is null ? [] : [ideology], OpinionKind.Positive, deleted, where);
    }

    protected override string? Advance(string? checkpoint, JsonElement record) =>
        OptionalNumber(record, "updated_on") is double updated
            ? string.Create(CultureInfo.InvariantCulture, $"{Invariant(updated)},{RequiredId(record, "id")}")
            : checkpoint;

    protected override string? PageCheckpoint(JsonElement page, string? fromRecords) =>
        page.TryGetProperty("checkpoint", out JsonElement checkpoint) && checkpoint.ValueKind == JsonValueKind.String && checkpoint.GetString() is { Length: > 0 } text
            ? text
            : fromRecords;

    protected override bool PageMore(JsonElement page) =>
        page.TryGetProperty("next", out JsonElement next) && next.ValueKind == JsonValueKind.String && next.GetString()!.Length > 0;

    /// <summary>A TCAP checkpoint's time, or null when it is not <c>"&lt;timestamp&gt;,&lt;id&gt;"</c>.</summary>
    public static DateTimeOffset? TimeOf(string checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        int comma = checkpoint.IndexOf(',', StringComparison.Ordinal);
        return comma > 0
            && double.TryParse(checkpoint.AsSpan(0, comma), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            && long.TryParse(checkpoint.AsSpan(comma + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && seconds is >= 0 and < 1e11
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : null;
    }
}
