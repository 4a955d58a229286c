using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace Clearinghouse.Exchanges.Programs;

/// <summary>
/// NCMEC hash sharing (<c>/v2/entries</c>): a <c>queryResult</c> with <c>images</c> and <c>videos</c> (each with a
/// <c>maxTimestamp</c>) holding entries (<c>image</c>, <c>video</c>: member, id, timestamp, classification,
/// fingerprints md5/sha1/pdna/pdq/netic/...) and deleted entries (<c>deletedImage</c>, <c>deletedVideo</c>), and
/// <c>paging/next</c>. The key is <c>&lt;member id&gt;-&lt;entry id&gt;</c> as python-threatexchange keys it; the
/// classification is the tag; feedback is kept as counts (no member names). The checkpoint is the newest
/// <c>maxTimestamp</c>.
/// </summary>
public sealed class NcmecFormat : IProgramFormat
{
    public ExchangeProgram Program => ExchangeProgram.Ncmec;

    public ProgramPage ParsePage(ReadOnlyMemory<byte> body, string source)
    {
        XDocument document;
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, Settings);
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            throw new ExchangeFormatException(string.Create(CultureInfo.InvariantCulture, $"{source}: not valid XML at line {ex.LineNumber}, position {ex.LinePosition}: {ex.Message}"), ex);
        }

        return Parse(document, source);
    }

    public async IAsyncEnumerable<ProgramPage> ReadFileAsync(Stream stream, string source, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // An NCMEC answer is one XML document of at most a page of entries: read whole, then cut into pages.
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        ProgramPage whole = ParsePage(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), source);
        int total = whole.Records.Count;
        for (int start = 0; start < total || start == 0; start += pageSize)
        {
            int count = Math.Min(pageSize, total - start);
            bool last = start + count >= total;
            yield return new ProgramPage(
                [.. whole.Records.Skip(start).Take(count)],
                start == 0 ? whole.Problems : [],
                last ? whole.Checkpoint : null,
                !last);
            if (last)
            {
                break;
            }
        }
    }

    /// <summary>The <c>paging/next</c> path of a page, if any.</summary>
    public static string? NextOf(ReadOnlyMemory<byte> body)
    {
        using var stream = new MemoryStream(body.ToArray(), writable: false);
        using var reader = XmlReader.Create(stream, Settings);
        XDocument document = XDocument.Load(reader);
        return document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "paging")?.Elements().FirstOrDefault(e => e.Name.LocalName == "next")?.Value is { Length: > 0 } next
            ? next.Trim()
            : null;
    }

    private static XmlReaderSettings Settings => new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };

    private static ProgramPage Parse(XDocument document, string source)
    {
        XElement root = document.Root!;
        if (root.Name.LocalName != "queryResult")
        {
            throw new ExchangeFormatException($"{source}: not an NCMEC entries page: the root element is <{root.Name.LocalName}>, expected <queryResult>");
        }

        var records = new List<ProgramRecord>();
        var problems = new List<RecordProblem>();
        DateTimeOffset? newest = null;
        int index = 0;
        foreach (XElement group in root.Elements())
        {
            string kind = group.Name.LocalName switch
            {
                "images" => "image",
                "videos" => "video",
                _ => string.Empty,
            };
            if (kind.Length == 0)
            {
                continue;
            }

            if (group.Attribute("maxTimestamp")?.Value is { } max)
            {
                newest = Max(newest, Time(max) ?? throw new ExchangeFormatException($"{source}: line {Line(group)}: <{group.Name.LocalName}> maxTimestamp '{max}' is not an ISO 8601 time"));
            }

            foreach (XElement entry in group.Elements())
            {
                string name = entry.Name.LocalName;
                bool deleted = name == "deleted" + char.ToUpperInvariant(kind[0]) + kind[1..];
                if (name != kind && !deleted)
                {
                    continue;
                }

                index++;
                string where = string.Create(CultureInfo.InvariantCulture, $"entry {index} (line {Line(entry)})");
                try
                {
                    records.Add(Entry(entry, kind, deleted, where));
                }
                catch (RecordFormatException ex)
                {
                    problems.Add(new RecordProblem(where, ex.Key, ProblemCodes.MalformedRecord, ex.Message));
                }
            }
        }

        return new ProgramPage(records, problems, newest?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), NextOfRoot(root) is not null);
    }

    private static string? NextOfRoot(XElement root) =>
        root.Elements().FirstOrDefault(e => e.Name.LocalName == "paging")?.Elements().FirstOrDefault(e => e.Name.LocalName == "next")?.Value is { Length: > 0 } next ? next : null;

    private static ProgramRecord Entry(XElement entry, string kind, bool deleted, string where)
    {
        string? member = Child(entry, "member")?.Attribute("id")?.Value;
        string? id = Child(entry, "id")?.Value.Trim();
        if (string.IsNullOrEmpty(member) || string.IsNullOrEmpty(id))
        {
            throw new RecordFormatException("an entry needs <member id=\"...\"> and <id>");
        }

        string key = member + "-" + id;
        string? classification = Child(entry, "classification")?.Value.Trim();
        var hashes = new List<ProgramHash>();
        if (!deleted)
        {
            XElement fingerprints = Child(entry, "fingerprints") ?? throw new RecordFormatException("an entry needs <fingerprints>") { Key = key };
            foreach (XElement fingerprint in fingerprints.Elements())
            {
                // Large fingerprints (TMK, Videntifier) are links to fetch separately: not imported.
                if (fingerprint.Attribute("href") is null && fingerprint.Value.Trim() is { Length: > 0 } value)
                {
                    hashes.Add(new ProgramHash(fingerprint.Name.LocalName, value));
                }
            }
        }

        XElement? feedback = Child(entry, "feedback");
        var labels = new JsonObject
        {
            ["kind"] = kind,
            ["id"] = id,
            ["member_id"] = member,
            ["classification"] = classification,
            ["timestamp"] = Child(entry, "timestamp")?.Value.Trim(),
            ["affirmative_feedback"] = feedback?.Elements().Count(e => e.Name.LocalName == "affirmativeFeedback") ?? 0,
            ["negative_feedback"] = feedback?.Elements().Count(e => e.Name.LocalName == "negativeFeedback") ?? 0,
        };
        return new ProgramRecord(key, hashes, labels, classification is null ? [] : [classification], null, deleted, where);
    }

    private static XElement? Child(XElement parent, string localName) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static int Line(XElement element) => ((IXmlLineInfo)element).LineNumber;

    private static DateTimeOffset? Time(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time) ? time : null;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}
