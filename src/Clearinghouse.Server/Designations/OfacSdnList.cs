using System.Text.RegularExpressions;
using System.Xml;

namespace Clearinghouse.Server.Designations;

/// <summary>
/// OFAC's Specially Designated Nationals list in its published XML form (<c>sdn.xml</c>: <c>sdnList</c> of
/// <c>sdnEntry</c>), read for its digital-currency addresses: each entry's <c>uid</c>, <c>sdnType</c>, programs
/// (<c>programList/program</c>, e.g. SDGT), the <c>idList/id</c> items whose <c>idType</c> is
/// <c>Digital Currency Address - XBT</c> (and other currency codes), and, for an entity, its name. An individual's
/// names, dates and documents are never read.
/// </summary>
/// <remarks>
/// sdn.xml has no field for a UN Security Council reference. Where an entry writes one — in its <c>remarks</c>
/// (for example "UN Ref QDe.115") or as an <c>id</c> whose <c>idType</c> begins with "UN" — it is read as
/// <see cref="OfacEntry.UnReference"/>. Namespaces are ignored: OFAC has published the same elements under
/// <c>http://tempuri.org/sdnList.xsd</c> and under its sanctions-list-service namespace.
/// </remarks>
public static partial class OfacSdnList
{
    private const string What = "OFAC SDN list";
    private const string AddressType = "Digital Currency Address - ";

    /// <summary>Reads a whole list; throws <see cref="SanctionsFileException"/> when the file cannot be used as a whole.</summary>
    public static OfacSdnFile Read(Stream stream, long maxCharacters = SanctionsXml.DefaultMaxCharacters) =>
        SanctionsXml.Read(stream, maxCharacters, What, reader =>
        {
            SanctionsXml.ReadRoot(reader, "sdnList", What, root => root == "Sanctions"
                ? "this is the SDN_ADVANCED format, which this importer does not read; import sdn.xml (the same entries, from the same OFAC page)"
                : null);
            string? published = null;
            var entries = new List<OfacEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            SanctionsXml.Children(reader, child =>
            {
                switch (child.LocalName)
                {
                    case "publshInformation": // sic: OFAC's spelling
                        SanctionsXml.Children(child, info =>
                        {
                            if (info.LocalName == "Publish_Date")
                            {
                                published = SanctionsXml.Text(info, What);
                            }
                            else
                            {
                                info.Skip();
                            }
                        });
                        break;
                    case "sdnEntry":
                        OfacEntry entry = ReadEntry(child);
                        if (!seen.Add(entry.Uid))
                        {
                            throw new SanctionsFileException($"{What}: line {entry.Line}: uid {entry.Uid} appears twice");
                        }

                        entries.Add(entry);
                        break;
                    default:
                        child.Skip();
                        break;
                }
            });
            if (entries.Count == 0)
            {
                throw new SanctionsFileException($"{What}: the file holds no sdnEntry");
            }

            return new OfacSdnFile(entries, published);
        });

    private static OfacEntry ReadEntry(XmlReader reader)
    {
        int line = SanctionsXml.LineOf(reader);
        string? uid = null, type = null, lastName = null, remarks = null, unFromId = null;
        var programs = new List<string>();
        var addresses = new List<OfacAddress>();
        SanctionsXml.Children(reader, field =>
        {
            switch (field.LocalName)
            {
                case "uid":
                    uid = SanctionsXml.Text(field, What);
                    break;
                case "sdnType":
                    type = SanctionsXml.Text(field, What);
                    break;
                case "lastName":
                    lastName = SanctionsXml.Text(field, What);
                    break;
                case "remarks":
                    remarks = SanctionsXml.Text(field, What);
                    break;
                case "programList":
                    SanctionsXml.Children(field, program =>
                    {
                        if (program.LocalName == "program")
                        {
                            programs.Add(SanctionsXml.Text(program, What));
                        }
                        else
                        {
                            program.Skip();
                        }
                    });
                    break;
                case "idList":
                    SanctionsXml.Children(field, id =>
                    {
                        if (id.LocalName != "id")
                        {
                            id.Skip();
                            return;
                        }

                        int idLine = SanctionsXml.LineOf(id);
                        string? idType = null, number = null;
                        SanctionsXml.Children(id, part =>
                        {
                            switch (part.LocalName)
                            {
                                case "idType":
                                    idType = SanctionsXml.Text(part, What);
                                    break;
                                case "idNumber":
                                    number = SanctionsXml.Text(part, What);
                                    break;
                                default:
                                    part.Skip();
                                    break;
                            }
                        });
                        if (idType is null)
                        {
                            return;
                        }

                        if (idType.StartsWith(AddressType, StringComparison.OrdinalIgnoreCase))
                        {
                            addresses.Add(new OfacAddress(idLine, idType[AddressType.Length..].Trim(), number ?? ""));
                        }
                        else if (idType.StartsWith("UN", StringComparison.Ordinal) && number is not null && UnReferencePattern().Match(number) is { Success: true } m)
                        {
                            unFromId ??= m.Value;
                        }
                    });
                    break;
                default:
                    field.Skip();
                    break;
            }
        });

        if (string.IsNullOrEmpty(uid) || uid.Any(c => !char.IsAsciiDigit(c)) || uid.Length > 18)
        {
            throw new SanctionsFileException($"{What}: line {line}: the sdnEntry has {(string.IsNullOrEmpty(uid) ? "no uid" : $"uid '{uid}', not a number")}");
        }

        bool individual = string.Equals(type, "Individual", StringComparison.OrdinalIgnoreCase);
        string? unReference = unFromId ?? (remarks is not null && UnReferenceInRemarks().Match(remarks) is { Success: true } r ? r.Groups[1].Value : null);
        return new OfacEntry(line, uid, individual, individual || string.IsNullOrEmpty(lastName) ? null : lastName, programs, addresses, unReference);
    }

    /// <summary>A UN Security Council reference number: two letters of the regime, e (entity) or i (individual), a dot, three digits.</summary>
    [GeneratedRegex(@"\b[A-Z]{2}[ei]\.\d{3}\b", RegexOptions.CultureInvariant)]
    private static partial Regex UnReferencePattern();

    [GeneratedRegex(@"\bUN\s+(?i:ref(?:erence)?(?:\s+(?:no\.?|number))?)\s*:?\s*([A-Z]{2}[ei]\.\d{3})\b", RegexOptions.CultureInvariant)]
    private static partial Regex UnReferenceInRemarks();
}

/// <summary>An SDN list read from a file: its entries and its <c>Publish_Date</c>, when it has one.</summary>
public sealed record OfacSdnFile(IReadOnlyList<OfacEntry> Entries, string? Published);

/// <summary>One sdnEntry, reduced to what the import uses.</summary>
/// <param name="Line">Where the entry starts in the file.</param>
/// <param name="Name">An entity's name (<c>lastName</c>, where OFAC keeps it); always null for an individual.</param>
/// <param name="UnReference">The UN reference number the entry writes, if any (e.g. <c>QDe.115</c>).</param>
public sealed record OfacEntry(int Line, string Uid, bool Individual, string? Name, IReadOnlyList<string> Programs, IReadOnlyList<OfacAddress> Addresses, string? UnReference);

/// <summary>A digital-currency address of an entry: OFAC's currency code (XBT, ETH, …) and the address as published.</summary>
public sealed record OfacAddress(int Line, string Currency, string Address);
