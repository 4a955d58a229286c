using System.Globalization;
using System.Xml;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Designations;

/// <summary>
/// The UN Security Council Consolidated List as published (<c>consolidated.xml</c>: <c>CONSOLIDATED_LIST</c> with
/// <c>INDIVIDUALS/INDIVIDUAL</c> and <c>ENTITIES/ENTITY</c>), read for what a designation reference needs: each
/// entry's <c>REFERENCE_NUMBER</c> (e.g. <c>QDe.115</c>), its kind and <c>LISTED_ON</c> date, and an entity's name
/// (<c>FIRST_NAME</c>, where the list keeps it). Nothing else about an individual is read: the clearinghouse never
/// stores data about people.
/// </summary>
public static class UnConsolidatedList
{
    /// <summary>The designation list name these entries are stored under (references read <c>un:QDe.115</c>).</summary>
    public const string ListName = "un";

    private const string What = "UN consolidated list";

    /// <summary>Reads a whole list; throws <see cref="SanctionsFileException"/> when the file cannot be used as a whole.</summary>
    public static UnListFile Read(Stream stream, long maxCharacters = SanctionsXml.DefaultMaxCharacters) =>
        SanctionsXml.Read(stream, maxCharacters, What, reader =>
        {
            SanctionsXml.ReadRoot(reader, "CONSOLIDATED_LIST", What);
            string? generated = reader.GetAttribute("dateGenerated");
            var entries = new List<NewDesignation>();
            var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
            SanctionsXml.Children(reader, section =>
            {
                (string Item, DesignationKind Kind)? kind = section.LocalName switch
                {
                    "INDIVIDUALS" => ("INDIVIDUAL", DesignationKind.Individual),
                    "ENTITIES" => ("ENTITY", DesignationKind.Entity),
                    _ => null,
                };
                if (kind is not { } k)
                {
                    section.Skip();
                    return;
                }

                SanctionsXml.Children(section, item =>
                {
                    if (item.LocalName != k.Item)
                    {
                        item.Skip();
                        return;
                    }

                    int line = SanctionsXml.LineOf(item);
                    NewDesignation entry = ReadEntry(item, k.Kind, line);
                    if (!lineOf.TryAdd(entry.Reference, line))
                    {
                        throw new SanctionsFileException($"{What}: line {line}: reference number {entry.Reference} is also on line {lineOf[entry.Reference]}");
                    }

                    entries.Add(entry);
                });
            });
            if (entries.Count == 0)
            {
                throw new SanctionsFileException($"{What}: the file holds no INDIVIDUAL or ENTITY entries");
            }

            return new UnListFile(entries, generated);
        });

    private static NewDesignation ReadEntry(XmlReader reader, DesignationKind kind, int line)
    {
        string? reference = null, listedOn = null, name = null;
        SanctionsXml.Children(reader, field =>
        {
            switch (field.LocalName)
            {
                case "REFERENCE_NUMBER":
                    reference = SanctionsXml.Text(field, What);
                    break;
                case "LISTED_ON":
                    listedOn = SanctionsXml.Text(field, What);
                    break;
                case "FIRST_NAME" when kind == DesignationKind.Entity:
                    // An entity's name; an individual's names are never read.
                    name = SanctionsXml.Text(field, What);
                    break;
                default:
                    field.Skip();
                    break;
            }
        });

        string element = kind == DesignationKind.Entity ? "ENTITY" : "INDIVIDUAL";
        if (string.IsNullOrEmpty(reference))
        {
            throw new SanctionsFileException($"{What}: line {line}: the {element} has no REFERENCE_NUMBER");
        }

        if (reference.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || reference.Length > 200)
        {
            throw new SanctionsFileException($"{What}: line {line}: REFERENCE_NUMBER '{reference}' is not a reference (expected a form such as QDe.115)");
        }

        return new NewDesignation(reference, kind, ParseDate(listedOn, line), string.IsNullOrEmpty(name) ? null : name);
    }

    /// <summary>LISTED_ON is an xs:date; the list writes it as yyyy-MM-dd, sometimes with a time or zone after it.</summary>
    private static DateOnly? ParseDate(string? text, int line)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date)
            ? date
            : throw new SanctionsFileException($"{What}: line {line}: LISTED_ON '{text}' is not a date (yyyy-MM-dd)");
    }
}

/// <summary>A UN list read from a file: its entries and the list's own <c>dateGenerated</c>, when it has one.</summary>
public sealed record UnListFile(IReadOnlyList<NewDesignation> Entries, string? Generated);
