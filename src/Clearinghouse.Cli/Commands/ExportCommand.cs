using System.CommandLine;
using System.Text;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server.Import;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse export --bank NAME [--format local_file|jsonl] [--out FILE]</c>: a bank's live signals, in a form
/// <c>clearinghouse import</c> (and python-threatexchange, for local_file) reads back as it is.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var store = new StoreOptions();
        var bank = new Option<string>("--bank", "-b") { Description = "The bank to export", Required = true };
        var format = new Option<string>("--format", "-f") { Description = "local_file ('<signal_type> <value>' lines) or jsonl (with designation and metadata)", DefaultValueFactory = _ => "local_file" };
        var output = new Option<string?>("--out", "-o") { Description = "Write to this file (replaced only once the export is complete) instead of stdout" };
        var json = new Option<bool>("--json") { Description = "With --out: print {bank, format, signals, out} as one JSON line" };
        var command = new Command("export", "Write a bank's live (not withdrawn) signals, in id order, directly from the store (run on the node's machine)") { bank, format, output, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string formatName = parse.GetValue(format)!;
            var exportFormat = BankExport.FormatOf(formatName) ?? throw new UsageException($"--format: unknown export format '{formatName}' (local_file or jsonl)");
            string? path = parse.GetValue(output);
            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                var found = await BankCommand.FindAsync(s, parse.GetValue(bank)!, cancellationToken).ConfigureAwait(false);
                var stdout = parse.InvocationConfiguration.Output;
                long count;
                if (path is null)
                {
                    count = await BankExport.WriteAsync(s, found, exportFormat, stdout, cancellationToken).ConfigureAwait(false);
                    await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    count = await WriteFileAsync(s, found, exportFormat, path, cancellationToken).ConfigureAwait(false);
                    if (parse.GetValue(json))
                    {
                        JsonLines.Write(stdout, new ExportSummary(found.Name, exportFormat == ExportFormat.JsonLines ? "jsonl" : "local_file", count, Path.GetFullPath(path)));
                    }
                    else
                    {
                        parse.InvocationConfiguration.Error.WriteLine($"clearinghouse: exported {count} signals of bank '{found.Name}' to {path}");
                    }
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/> and renames it over, so a failed export leaves no half file.</summary>
    private static async Task<long> WriteFileAsync(Storage.IClearinghouseStore store, Storage.Bank bank, ExportFormat format, string path, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            long count;
            var writer = new StreamWriter(temporary, false, new UTF8Encoding(false), 1 << 16);
            await using (writer.ConfigureAwait(false))
            {
                count = await BankExport.WriteAsync(store, bank, format, writer, cancellationToken).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            return count;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing was written there, or it cannot be removed either: the original error is the one to report.
            }

            throw new CommandFailedException(ExitCodes.BadInput, $"{path}: cannot write: {ex.Message}");
        }
    }
}
