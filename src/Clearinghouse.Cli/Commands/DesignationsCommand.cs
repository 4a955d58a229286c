using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server.Designations;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse designations import --un FILE | list | show REF…</c>: the designation lists a signal's
/// designation reference (<c>un:QDe.115</c>) is checked against, directly in the store (run on the node's machine).
/// </summary>
internal static class DesignationsCommand
{
    public static Command Create()
    {
        var command = new Command("designations", "Designation lists (UN Security Council Consolidated List; OFAC entries recorded by import-ofac) that designation references are checked against");
        command.Subcommands.Add(CreateImport());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        return command;
    }

    private static Command CreateImport()
    {
        var store = new StoreOptions();
        var un = new Option<string>("--un") { Description = "The UN Security Council Consolidated List as published (consolidated.xml)", Required = true };
        var maxSize = MaxSizeOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object: {list, generated, entries, added, updated, unchanged, delisted, relisted}" };
        var command = new Command(
            "import",
            "Replace the node's UN list with this copy: entries added or updated, entries no longer on it marked delisted (kept: signals may name them). Exit 3: the file is unusable (not the list, a DTD, malformed or truncated XML, too large); nothing is written.")
        {
            un, maxSize, json,
        };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string path = parse.GetValue(un)!;
            UnListFile list = ReadFile(path, parse.GetValue(maxSize), UnConsolidatedList.Read);
            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                var result = await s.ReplaceDesignationListAsync(UnConsolidatedList.ListName, list.Entries, cancellationToken).ConfigureAwait(false);
                var report = DesignationImportReport.From(result, list.Generated);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, report);
                }
                else
                {
                    output.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"un list{(list.Generated is null ? "" : $" of {list.Generated}")}: {report.Entries} entries ({report.Added} added, {report.Updated} updated, {report.Unchanged} unchanged, {report.Delisted} delisted, {report.Relisted} listed again)"));
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateList()
    {
        var store = new StoreOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object per list: {list, listed, delisted, last_imported_at}" };
        var command = new Command("list", "The designation lists the store holds") { json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var output = parse.InvocationConfiguration.Output;
            foreach (var list in await s.ListDesignationListsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, DesignationListInfo.From(list));
                }
                else
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{list.List}\t{list.Listed} listed\t{list.Delisted} delisted\tlast imported {list.LastImportedAt:yyyy-MM-dd HH:mm:ss}Z"));
                }
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateShow()
    {
        var store = new StoreOptions();
        var references = new Argument<string[]>("REFERENCE") { Description = "Designation references, e.g. un:QDe.115 or ofac:36216", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per reference found" };
        var command = new Command("show", "Entries by reference; exit 1 when one is not on any list held") { references, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            string[] wanted = parse.GetValue(references)!;
            var found = (await s.GetDesignationsAsync(wanted, cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Key, StringComparer.Ordinal);
            var output = parse.InvocationConfiguration.Output;
            int missing = 0;
            foreach (string reference in wanted)
            {
                if (!found.TryGetValue(reference, out var entry))
                {
                    parse.InvocationConfiguration.Error.WriteLine($"clearinghouse: {reference}: not on any designation list the store holds");
                    missing++;
                }
                else if (parse.GetValue(json))
                {
                    JsonLines.Write(output, DesignationInfo.From(entry));
                }
                else
                {
                    string kind = entry.Kind == DesignationKind.Entity ? "entity" : "individual";
                    output.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{entry.Key}\t{kind}\tlisted on {entry.ListedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"}\t{(entry.Listed ? "listed" : $"delisted {entry.DelistedAt:yyyy-MM-dd}")}{(entry.Name is null ? "" : "\t" + entry.Name)}"));
                }
            }

            return missing == 0 ? ExitCodes.Success : ExitCodes.SomeInputsFailed;
        }, cancellationToken));
        return command;
    }

    /// <summary>The ceiling on a list file's size (characters), against hostile or runaway files.</summary>
    public static Option<long> MaxSizeOption()
    {
        var option = new Option<long>("--max-size") { Description = "Refuse a list file larger than this many characters (default 256 Mi; OFAC's sdn.xml is about 30 MB)", DefaultValueFactory = _ => SanctionsXml.DefaultMaxCharacters };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--max-size must be at least 1.");
            }
        });
        return option;
    }

    /// <summary>Reads a list file with <paramref name="read"/>; a missing, unreadable or unusable file is exit 3.</summary>
    public static T ReadFile<T>(string path, long maxCharacters, Func<Stream, long, T> read)
    {
        if (!File.Exists(path))
        {
            throw new CommandFailedException(ExitCodes.BadInput, Directory.Exists(path) ? $"{path}: is a directory, not a list file" : $"{path}: no such file");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return read(stream, maxCharacters);
        }
        catch (SanctionsFileException ex)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{path}: {ex.Message}; nothing was imported");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{path}: cannot read: {ex.Message}");
        }
    }
}
