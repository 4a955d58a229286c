using System.Text.Json.Nodes;
using Clearinghouse.Exchanges.Http;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges;

/// <summary>
/// Builds what syncing a stored exchange needs (its program, settings, the mapper for its bank's category) and
/// runs it: shared by the CLI, the node's admin routes and its background poller.
/// </summary>
public sealed class ExchangeRunner(IClearinghouseStore store, SignalTypeRegistry types, HttpClient http, TimeProvider? time = null)
{
    /// <summary>The store's exchange side (every store of this node implements it).</summary>
    public IExchangeStore Exchanges { get; } = store as IExchangeStore ?? throw new ArgumentException("this store does not keep exchanges", nameof(store));

    /// <summary>Checks a new exchange's program and settings against the taxonomy and the bank, before it is stored.
    /// Throws <see cref="FormatException"/> with a message naming what is wrong.</summary>
    public async Task<ExchangeProgram> ValidateAsync(string program, string settingsJson, Bank bank, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ExchangeProgram parsed = ExchangePrograms.Parse(program) ?? throw new FormatException($"unknown program '{program}' (known: {string.Join(", ", ExchangePrograms.Names)})");
        ExchangeSettings settings = ExchangeSettings.Parse(settingsJson);
        await MapperAsync(parsed, settings, bank, cancellationToken).ConfigureAwait(false);
        if (ExchangePrograms.HasApi(parsed) && settings.CredentialsEnv is null && settings.CredentialsFile is null)
        {
            throw new FormatException($"a {ExchangePrograms.NameOf(parsed)} exchange needs credentials_env or credentials_file (credentials are never stored)");
        }

        if (!ExchangePrograms.HasApi(parsed) && settings.Path is null)
        {
            throw new FormatException($"a {ExchangePrograms.NameOf(parsed)} exchange reads a file: give the setting 'path'");
        }

        if (parsed == ExchangeProgram.ThreatExchange && settings.PrivacyGroup is null)
        {
            throw new FormatException("a threatexchange exchange needs the setting 'privacy_group'");
        }

        return parsed;
    }

    /// <summary>The sync for <paramref name="exchange"/>, with its program and settings.</summary>
    public async Task<(ExchangeSync Sync, ExchangeProgram Program, ExchangeSettings Settings)> PrepareAsync(Exchange exchange, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ExchangeProgram program = ExchangePrograms.Parse(exchange.Program) ?? throw new FormatException($"exchange '{exchange.Name}': unknown program '{exchange.Program}'");
        ExchangeSettings settings = ExchangeSettings.Parse(exchange.Settings);
        Bank bank = await store.GetBankAsync(exchange.BankId, cancellationToken).ConfigureAwait(false) is { Deleted: false } live
            ? live
            : throw new FormatException($"exchange '{exchange.Name}': its bank was deleted");
        ExchangeMapper mapper = await MapperAsync(program, settings, bank, cancellationToken).ConfigureAwait(false);
        return (new ExchangeSync(Exchanges, mapper), program, settings);
    }

    /// <summary>Runs a stored exchange against its program's API (or its file), now.</summary>
    public async Task<SyncReport> SyncAsync(Exchange exchange, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        (ExchangeSync sync, ExchangeProgram program, ExchangeSettings settings) = await PrepareAsync(exchange, cancellationToken).ConfigureAwait(false);
        return await sync.RunAsync(exchange, ExchangeSources.For(program, settings, http, time), progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ExchangeMapper> MapperAsync(ExchangeProgram program, ExchangeSettings settings, Bank bank, CancellationToken cancellationToken)
    {
        Taxonomy taxonomy = await store.GetTaxonomyAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("the store has no taxonomy");
        return new ExchangeMapper(program, types, settings, bank.Category, taxonomy.Categories.Select(c => c.Id));
    }

    /// <summary>An exchange as the CLI and the admin API show it (its settings, never credentials: none are stored).</summary>
    public static JsonObject Describe(Exchange exchange, string bankName)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return new JsonObject
        {
            ["name"] = exchange.Name,
            ["program"] = exchange.Program,
            ["bank"] = bankName,
            ["enabled"] = exchange.Enabled,
            ["settings"] = JsonNode.Parse(exchange.Settings),
            ["checkpoint"] = exchange.Checkpoint,
            ["imported"] = exchange.Imported,
            ["created_at"] = exchange.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["last_sync_at"] = exchange.LastSyncAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["last_error"] = exchange.LastError,
        };
    }
}
