using System.Text.Json.Nodes;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges;

/// <summary>A page mapped onto this node: the records to apply and the records skipped.</summary>
public sealed record MappedPage(IReadOnlyList<ExchangeRecord> Records, IReadOnlyList<RecordProblem> Problems);

/// <summary>
/// Maps a program's records onto this node: each hash's algorithm onto a signal type and its value onto the type's
/// canonical form, the record's tags onto a category of the taxonomy, and its opinion. A record with a corrupt hash
/// is skipped and reported (its earlier state is kept); a record whose category is not the bank's, or that the
/// program marks as a false positive, becomes a delete (so what this exchange imported of it is withdrawn).
/// </summary>
public sealed class ExchangeMapper
{
    private readonly ExchangeProgram _program;
    private readonly SignalTypeRegistry _types;
    private readonly ExchangeSettings _settings;
    private readonly string _bankCategory;
    private readonly HashSet<string> _categories;

    /// <param name="categories">The taxonomy's category ids (mapping targets are checked against them).</param>
    public ExchangeMapper(ExchangeProgram program, SignalTypeRegistry types, ExchangeSettings settings, string bankCategory, IEnumerable<string> categories)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _program = program;
        _types = types;
        _settings = settings;
        _bankCategory = bankCategory;
        _categories = new HashSet<string>(categories, StringComparer.Ordinal);
        foreach ((string tag, string category) in settings.Categories)
        {
            if (!_categories.Contains(category))
            {
                throw new FormatException($"exchange setting categories.{tag}: unknown category '{category}' (known: {string.Join(", ", _categories.Order(StringComparer.Ordinal))})");
            }
        }

        if (settings.DefaultCategory is { } fallback && !_categories.Contains(fallback))
        {
            throw new FormatException($"exchange setting default_category: unknown category '{fallback}' (known: {string.Join(", ", _categories.Order(StringComparer.Ordinal))})");
        }
    }

    public MappedPage Map(ProgramPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var records = new List<ExchangeRecord>(page.Records.Count);
        var problems = new List<RecordProblem>(page.Problems);
        foreach (ProgramRecord record in page.Records)
        {
            if (Map(record, out RecordProblem? problem) is { } mapped)
            {
                records.Add(mapped);
            }

            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        return new MappedPage(records, problems);
    }

    /// <summary>The record as this node applies it, or null when it is skipped (<paramref name="problem"/> says why;
    /// a problem may also accompany a record turned into a delete).</summary>
    public ExchangeRecord? Map(ProgramRecord record, out RecordProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(record);
        problem = null;
        if (record.Deleted)
        {
            return new ExchangeRecord(record.Key, [], "{}", Deleted: true, DeleteReason: "deleted by the program");
        }

        var values = new List<ExchangeValue>(record.Hashes.Count);
        var unsupported = new List<string>();
        foreach (ProgramHash hash in record.Hashes)
        {
            string? typeName = ProgramSignalTypes.Of(_program, hash.Algorithm);
            if (typeName is null || !_types.TryGet(typeName, out ISignalType? type))
            {
                unsupported.Add(hash.Algorithm);
                continue;
            }

            if (!type.TryCanonicalize(hash.Value, out string? canonical, out string? reason))
            {
                problem = new RecordProblem(record.Where, record.Key, ProblemCodes.InvalidValue, $"invalid {hash.Algorithm} hash ({type.Name}): {reason}; the record was skipped");
                return null;
            }

            if (!values.Contains(new ExchangeValue(type.Name, canonical)))
            {
                values.Add(new ExchangeValue(type.Name, canonical));
            }
        }

        if (values.Count == 0)
        {
            problem = new RecordProblem(record.Where, record.Key, ProblemCodes.UnsupportedSignalType,
                $"no hash of a supported type (found: {(unsupported.Count == 0 ? "none" : string.Join(", ", unsupported))}); the record was skipped");
            return null;
        }

        string? category = CategoryOf(record.Tags);
        var labels = new JsonObject
        {
            ["program"] = record.Labels.DeepClone(),
            ["category"] = category,
            ["opinion"] = OpinionName(record.Opinion),
        };
        string labelText = labels.ToJsonString();
        if (category is null)
        {
            problem = new RecordProblem(record.Where, record.Key, ProblemCodes.Unmapped, "no tag maps to a category and no default_category is set; not imported");
            return new ExchangeRecord(record.Key, [], labelText, Deleted: true, DeleteReason: "its labels map to no category");
        }

        if (category != _bankCategory)
        {
            problem = new RecordProblem(record.Where, record.Key, ProblemCodes.OtherCategory, $"its labels map to category '{category}', not the bank's '{_bankCategory}'; not imported");
            return new ExchangeRecord(record.Key, [], labelText, Deleted: true, DeleteReason: $"its labels map to category {category}");
        }

        return record.Opinion == OpinionKind.Negative
            ? new ExchangeRecord(record.Key, [], labelText, Deleted: true, DeleteReason: "the program marks it as a false positive")
            : new ExchangeRecord(record.Key, values, labelText);
    }

    /// <summary>The category of the first tag that maps to one (settings first, then a tag naming a category id,
    /// '_' and '-' alike), else the default category.</summary>
    private string? CategoryOf(IReadOnlyList<string> tags)
    {
        foreach (string tag in tags)
        {
            if (_settings.Categories.TryGetValue(tag, out string? mapped))
            {
                return mapped;
            }

            string asId = tag.Trim().ToLowerInvariant().Replace('_', '-');
            if (_categories.Contains(asId))
            {
                return asId;
            }
        }

        return _settings.DefaultCategoryGiven ? _settings.DefaultCategory : _bankCategory;
    }

    private static string? OpinionName(OpinionKind? opinion) => opinion switch
    {
        OpinionKind.Positive => "positive",
        OpinionKind.Negative => "negative",
        OpinionKind.InvestigationSeed => "investigation-seed",
        _ => null,
    };
}

/// <summary>Each program's names for hash algorithms, onto this node's signal types (null: not supported here).</summary>
public static class ProgramSignalTypes
{
    public static string? Of(ExchangeProgram program, string algorithm)
    {
        string name = (algorithm ?? string.Empty).Trim().ToUpperInvariant();
        return program switch
        {
            // python-threatexchange signal type names (local_file, HMA's signal keys) and this node's own names.
            ExchangeProgram.LocalFile or ExchangeProgram.Hma => name switch
            {
                "PDQ" => "pdq",
                "VPDQ" => "vpdq",
                "VIDEO_MD5" or "PHOTO_MD5" or "MD5" => "md5",
                "SHA256" => "sha256",
                "TLSH" => "tlsh",
                "URL" => "url",
                _ => null,
            },
            ExchangeProgram.ThreatExchange => name switch
            {
                "HASH_PDQ" => "pdq",
                "HASH_MD5" or "HASH_VIDEO_MD5" or "HASH_PHOTO_MD5" => "md5",
                "HASH_SHA256" => "sha256",
                "HASH_TLSH" => "tlsh",
                "URI" or "URL" => "url",
                _ => null,
            },
            ExchangeProgram.Ncmec => name switch
            {
                "PDQ" => "pdq",
                "MD5" => "md5",
                "SHA256" => "sha256",
                _ => null,
            },
            ExchangeProgram.StopNcii => name switch
            {
                "IMAGEPDQ" => "pdq",
                "VIDEOMD5" => "md5",
                "URL" => "url",
                _ => null,
            },
            _ => name switch
            {
                "PDQ" => "pdq",
                "MD5" => "md5",
                "SHA256" => "sha256",
                "TLSH" => "tlsh",
                _ => null,
            },
        };
    }
}
