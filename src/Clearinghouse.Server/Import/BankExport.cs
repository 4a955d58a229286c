using System.Text;
using System.Text.Json;
using Clearinghouse.Server.Api;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Import;

/// <summary>Export formats: the import formats a bank's export can be re-imported from as it is.</summary>
public enum ExportFormat
{
    /// <summary>python-threatexchange <c>local_file</c> lines: <c>&lt;signal_type&gt; &lt;value&gt;</c>.</summary>
    LocalFile,

    /// <summary>JSON lines <c>{"signal_type", "value", "designation"?, "metadata"?}</c>.</summary>
    JsonLines,
}

/// <summary>
/// Writes a bank's live (not withdrawn) signals in id order, a page at a time (bounded memory whatever the bank's
/// size); shared by the node's export route and <c>clearinghouse export</c>.
/// </summary>
public static class BankExport
{
    private const int PageSize = 1000;

    /// <summary>The format named <paramref name="name"/> (local_file, the default, or jsonl); null when unknown.</summary>
    public static ExportFormat? FormatOf(string? name) => (name ?? "local_file").Trim().ToLowerInvariant() switch
    {
        "local_file" or "txt" => ExportFormat.LocalFile,
        "jsonl" or "ndjson" => ExportFormat.JsonLines,
        _ => null,
    };

    /// <summary>Writes every live signal of <paramref name="bank"/>; returns how many.</summary>
    public static async Task<long> WriteAsync(IClearinghouseStore store, Bank bank, ExportFormat format, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(writer);
        using var json = new MemoryStream();
        long after = 0;
        long count = 0;
        while (true)
        {
            var page = await store.ListSignalsAsync(new SignalQuery(bank.Id, null, null, after, PageSize), cancellationToken).ConfigureAwait(false);
            foreach (var signal in page.Items)
            {
                if (signal.Status == SignalStatus.Withdrawn)
                {
                    continue;
                }

                count++;
                if (format == ExportFormat.LocalFile)
                {
                    await writer.WriteAsync($"{signal.SignalType} {signal.Value}\n").ConfigureAwait(false);
                    continue;
                }

                json.SetLength(0);
                using (var line = new Utf8JsonWriter(json))
                {
                    line.WriteStartObject();
                    line.WriteString("signal_type", signal.SignalType);
                    line.WriteString("value", signal.Value);
                    if (signal.Designation is not null)
                    {
                        line.WriteString("designation", signal.Designation);
                    }

                    if (Mapping.ParseMetadata(signal.Metadata) is { } metadata)
                    {
                        line.WritePropertyName("metadata");
                        metadata.WriteTo(line);
                    }

                    line.WriteEndObject();
                }

                await writer.WriteAsync(Encoding.UTF8.GetString(json.GetBuffer(), 0, (int)json.Length)).ConfigureAwait(false);
                await writer.WriteAsync('\n').ConfigureAwait(false);
            }

            if (page.NextAfter is not long next)
            {
                return count;
            }

            after = next;
        }
    }
}
