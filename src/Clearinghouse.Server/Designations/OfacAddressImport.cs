using System.Text.Json;
using Clearinghouse.Server.Import;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Designations;

/// <summary>Why an OFAC import was refused as a whole (for example a bank of the wrong category); nothing was written.</summary>
public sealed class OfacImportRefusedException : Exception
{
    public OfacImportRefusedException()
    {
    }

    public OfacImportRefusedException(string message)
        : base(message)
    {
    }

    public OfacImportRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>What an OFAC import did.</summary>
/// <param name="Entries">sdnEntry elements in the file.</param>
/// <param name="SelectedEntries">Entries in the chosen programs (each recorded on the <c>ofac</c> designation list).</param>
/// <param name="Addresses">Digital-currency addresses of the selected entries.</param>
/// <param name="OtherProgramAddresses">Addresses of entries outside the chosen programs (not imported).</param>
/// <param name="Added">Payment signals added to the bank.</param>
/// <param name="AlreadyPresent">Addresses already live in the bank (a re-import adds nothing twice).</param>
/// <param name="MappedToUn">Selected entries whose designation is their UN reference (on the imported UN list).</param>
/// <param name="Rejections">Addresses refused (invalid for their currency, repeated), with their line in the file.</param>
public sealed record OfacImportResult(
    string Bank,
    string? Published,
    IReadOnlyList<string> Programs,
    int Entries,
    int SelectedEntries,
    int Addresses,
    int OtherProgramAddresses,
    int Added,
    int AlreadyPresent,
    int MappedToUn,
    DesignationImportResult Designations,
    IReadOnlyList<LineRejection> Rejections);

/// <summary>
/// Turns an OFAC SDN list into <c>payment</c> signals of a <c>terrorist-fundraising</c> bank, shared by
/// <c>clearinghouse import-ofac</c> and the node's route. Only entries of the chosen programs are used (by default
/// the terrorism programs SDGT, SDT and FTO). Each address is validated by the payment signal type (checksums
/// included); an invalid one is reported with its line and never stored. Each signal carries a designation
/// reference: the entry's UN reference when it writes one that is on the UN list the node has imported
/// (<c>un:QDe.115</c>), otherwise <c>ofac:&lt;uid&gt;</c>; the selected entries are recorded as the node's
/// <c>ofac</c> designation list (an entity with its name, an individual as its uid alone).
/// </summary>
public sealed class OfacAddressImport(IClearinghouseStore store, SignalTypeRegistry types)
{
    /// <summary>The designation list OFAC entries are recorded under (references read <c>ofac:36216</c>).</summary>
    public const string ListName = "ofac";

    /// <summary>The category the signals go to.</summary>
    public const string Category = "terrorist-fundraising";

    /// <summary>OFAC's counter-terrorism programs: Specially Designated Global Terrorists, Specially Designated Terrorists, Foreign Terrorist Organizations.</summary>
    public static IReadOnlyList<string> DefaultPrograms { get; } = ["SDGT", "SDT", "FTO"];

    public async Task<OfacImportResult> ImportAsync(Bank bank, long contributorMemberId, OfacSdnFile file, IReadOnlyCollection<string> programs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(programs);
        if (bank.Category != Category)
        {
            throw new OfacImportRefusedException($"bank '{bank.Name}' is in category '{bank.Category}'; OFAC addresses are imported into a '{Category}' bank");
        }

        if (programs.Count == 0)
        {
            throw new OfacImportRefusedException("no OFAC program chosen");
        }

        var chosen = new HashSet<string>(programs, StringComparer.OrdinalIgnoreCase);
        var selected = file.Entries.Where(e => e.Programs.Any(chosen.Contains)).ToList();
        int otherAddresses = file.Entries.Where(e => !e.Programs.Any(chosen.Contains)).Sum(e => e.Addresses.Count);

        // The UN references the entries write that the node's UN list holds.
        var unReferences = selected.Where(e => e.UnReference is not null).Select(e => "un:" + e.UnReference).ToList();
        var onUnList = (await store.GetDesignationsAsync(unReferences, cancellationToken).ConfigureAwait(false))
            .Where(d => d.Listed).Select(d => d.Reference).ToHashSet(StringComparer.Ordinal);

        var payment = types.Get("payment");
        var signals = new List<ParsedSignal>();
        var rejections = new List<LineRejection>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        int addresses = 0, mapped = 0;
        foreach (OfacEntry entry in selected)
        {
            bool toUn = entry.UnReference is { } un && onUnList.Contains(un);
            mapped += toUn ? 1 : 0;
            string designation = toUn ? "un:" + entry.UnReference : $"{ListName}:{entry.Uid}";
            string[] entryPrograms = [.. entry.Programs.Where(chosen.Contains)];
            foreach (OfacAddress address in entry.Addresses)
            {
                addresses++;
                string given = $"{address.Currency.ToLowerInvariant()}:{address.Address}";
                if (address.Currency.Length == 0 || address.Address.Length == 0)
                {
                    rejections.Add(new LineRejection(address.Line, RejectionCodes.InvalidValue, $"entry {entry.Uid}: an empty {(address.Currency.Length == 0 ? "currency code" : "address")}"));
                    continue;
                }

                if (!payment.TryCanonicalize(given, out string? canonical, out string? reason))
                {
                    rejections.Add(new LineRejection(address.Line, RejectionCodes.InvalidValue, $"entry {entry.Uid}: invalid {address.Currency} address '{Shorten(address.Address)}': {reason}"));
                    continue;
                }

                if (firstLine.TryGetValue(canonical, out int first))
                {
                    rejections.Add(new LineRejection(address.Line, RejectionCodes.DuplicateInImport, $"entry {entry.Uid}: the same address is on line {first}"));
                    continue;
                }

                firstLine[canonical] = address.Line;
                signals.Add(new ParsedSignal(address.Line, new NewSignal(payment.Name, canonical, designation, Metadata(address.Currency, entryPrograms))));
            }
        }

        // The designations first, so the signals' references are on the list when they are checked.
        var designations = await store.ReplaceDesignationListAsync(
            ListName,
            [.. selected.Select(e => new NewDesignation(e.Uid, e.Individual ? DesignationKind.Individual : DesignationKind.Entity, null, e.Individual ? null : e.Name))],
            cancellationToken).ConfigureAwait(false);

        var importer = new SignalImporter(store);
        var plan = await importer.PlanAsync(bank, new ParsedImport(signals, [], signals.Count), cancellationToken).ConfigureAwait(false);
        IEnumerable<LineRejection> refused = plan.Rejections;
        int added = 0, present = 0;
        if (plan.Signals.Count > 0)
        {
            // One batch, one transaction: the signals are all written or none are.
            var outcome = await importer.WriteAsync(plan, contributorMemberId, cancellationToken: cancellationToken).ConfigureAwait(false);
            added = outcome.Added;
            present = outcome.Rejections.Count(r => r.Code == RejectionCodes.Duplicate);
            refused = outcome.Rejections.Where(r => r.Code != RejectionCodes.Duplicate);
        }

        rejections.AddRange(refused);

        rejections.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new OfacImportResult(bank.Name, file.Published, [.. chosen.Order(StringComparer.Ordinal)], file.Entries.Count, selected.Count, addresses, otherAddresses, added, present, mapped, designations, rejections);
    }

    /// <summary>Provenance kept with each signal: the source, OFAC's currency code and the entry's chosen programs — nothing about a person.</summary>
    private static string Metadata(string currency, string[] programs)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("source", "ofac_sdn");
            json.WriteString("currency", currency);
            json.WriteStartArray("programs");
            foreach (string program in programs)
            {
                json.WriteStringValue(program);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 117), "...");
}
