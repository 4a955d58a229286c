using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server.Designations;
using Clearinghouse.Server.Json;
using Clearinghouse.Signals;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse import-ofac FILE --bank NAME [--programs SDGT,SDT,FTO]</c>: OFAC SDN digital-currency
/// addresses as <c>payment</c> signals of a <c>terrorist-fundraising</c> bank, each with its designation.
/// </summary>
internal static class ImportOfacCommand
{
    public static Command Create()
    {
        var store = new StoreOptions();
        var file = new Argument<string>("FILE") { Description = "OFAC's SDN list as published (sdn.xml)" };
        var bank = new Option<string>("--bank", "-b") { Description = "The terrorist-fundraising bank to add the addresses to", Required = true };
        var programs = new Option<string>("--programs")
        {
            Description = "Comma-separated OFAC programs whose entries are imported (default: the terrorism programs SDGT,SDT,FTO)",
            DefaultValueFactory = _ => string.Join(',', OfacAddressImport.DefaultPrograms),
        };
        var contributor = new Option<string?>("--contributor") { Description = "The member recorded as contributing the signals (default: the bank's owner)" };
        var maxSize = DesignationsCommand.MaxSizeOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object: {bank, published, programs, entries, selected_entries, addresses, other_program_addresses, added, already_present, mapped_to_un, rejected, ofac_designations, rejections: [{line, code, reason}]}" };
        var command = new Command(
            "import-ofac",
            "Add the digital-currency addresses of OFAC SDN entries in the chosen programs to a terrorist-fundraising bank, each with its designation (un:<ref> when the entry writes a UN reference that is on the imported UN list, else ofac:<uid>). "
            + "Invalid addresses are reported and never stored. Exit 0: every address imported or already present; 1: some addresses refused (the valid ones were imported); 3: the file is unusable; 5: wrong bank.")
        {
            file, bank, programs, contributor, maxSize, json,
        };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string[] chosen = parse.GetValue(programs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (chosen.Length == 0)
            {
                throw new UsageException("--programs names no OFAC program (e.g. SDGT,FTO)");
            }

            string path = parse.GetValue(file)!;
            OfacSdnFile list = DesignationsCommand.ReadFile(path, parse.GetValue(maxSize), OfacSdnList.Read);
            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                var target = await BankCommand.FindAsync(s, parse.GetValue(bank)!, cancellationToken).ConfigureAwait(false);
                long contributorId = target.OwnerMemberId;
                if (parse.GetValue(contributor) is { } name)
                {
                    contributorId = (await s.FindMemberAsync(name, cancellationToken).ConfigureAwait(false)
                        ?? throw new CommandFailedException(ExitCodes.Refused, $"no member named '{name}' (members: clearinghouse member list)")).Id;
                }

                OfacImportResult result;
                try
                {
                    result = await new OfacAddressImport(s, SignalTypeRegistry.CreateDefault()).ImportAsync(target, contributorId, list, chosen, cancellationToken).ConfigureAwait(false);
                }
                catch (OfacImportRefusedException ex)
                {
                    throw new CommandFailedException(ExitCodes.Refused, ex.Message + "; nothing was imported");
                }

                var output = parse.InvocationConfiguration.Output;
                var error = parse.InvocationConfiguration.Error;
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, OfacImportReport.From(result));
                }
                else
                {
                    foreach (var r in result.Rejections)
                    {
                        error.WriteLine($"{path}:{r.Line}: {r.Code}: {r.Reason}");
                    }

                    output.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"imported {result.Added} payment signals into bank '{result.Bank}' from {result.SelectedEntries} of {result.Entries} entries in {string.Join(',', result.Programs)} "
                        + $"({result.Addresses} addresses: {result.AlreadyPresent} already present, {result.Rejections.Count} refused; {result.MappedToUn} entries designated by their UN reference; "
                        + $"{result.OtherProgramAddresses} addresses of other programs not imported)"));
                }

                return result.Rejections.Count == 0 ? ExitCodes.Success : ExitCodes.SomeInputsFailed;
            }, cancellationToken);
        });
        return command;
    }
}
