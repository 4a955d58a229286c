using Clearinghouse.Exchanges.Programs;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges.Tests;

/// <summary>A real SQLite store with a member, an attack-footage bank and an exchange of one program, per test.</summary>
internal sealed class ExchangeHarness : IAsyncDisposable
{
    public const string Category = "attack-footage";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ch-exchanges-" + Guid.NewGuid().ToString("N"));

    private ExchangeHarness(ExchangeProgram program) => Program = program;

    public ExchangeProgram Program { get; }

    public SqliteStore Store { get; private set; } = null!;

    public IExchangeStore Exchanges => Store;

    public Bank Bank { get; private set; } = null!;

    public Exchange Exchange { get; private set; } = null!;

    public ExchangeSettings Settings { get; private set; } = null!;

    public ExchangeSync Sync { get; private set; } = null!;

    public static async Task<ExchangeHarness> CreateAsync(ExchangeProgram program, string settings = "{}")
    {
        var harness = new ExchangeHarness(program);
        harness.Store = new SqliteStore(harness._directory);
        await harness.Store.MigrateAsync();
        await harness.Store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault());
        Member member = await harness.Store.CreateMemberAsync("example-member");
        harness.Bank = await harness.Store.CreateBankAsync(new NewBank("IMPORTS", Category, member.Id));
        harness.Exchange = await harness.Exchanges.CreateExchangeAsync(new NewExchange(ExchangePrograms.NameOf(program) + "-test", ExchangePrograms.NameOf(program), harness.Bank.Id, member.Id, settings));
        harness.Settings = ExchangeSettings.Parse(settings);
        Taxonomy taxonomy = (await harness.Store.GetTaxonomyAsync())!;
        var mapper = new ExchangeMapper(program, SignalTypeRegistry.CreateDefault(), harness.Settings, Category, taxonomy.Categories.Select(c => c.Id));
        harness.Sync = new ExchangeSync(harness.Exchanges, mapper);
        return harness;
    }

    public static string Fixture(string program, string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", program, file);

    /// <summary>Reads a fixture file as the program's export and applies it.</summary>
    public async Task<SyncReport> ImportAsync(string file, bool full = false)
    {
        string path = Fixture(ExchangePrograms.NameOf(Program), file);
        await using FileStream stream = File.OpenRead(path);
        return await Sync.ApplyAsync(Exchange, ProgramFormats.For(Program).ReadFileAsync(stream, path, pageSize: 2), full);
    }

    public async Task<Exchange> ReloadAsync() => Exchange = (await Exchanges.GetExchangeAsync(Exchange.Id))!;

    /// <summary>The live values in the bank, sorted.</summary>
    public async Task<string[]> LiveValuesAsync() =>
        [.. (await Store.ListSignalsAsync(new SignalQuery(BankId: Bank.Id, Status: SignalStatus.Active, Limit: 1000))).Items.Select(s => $"{s.SignalType}:{s.Value}").Order(StringComparer.Ordinal)];

    public async Task<int> SignalCountAsync() => (await Store.ListSignalsAsync(new SignalQuery(BankId: Bank.Id, Limit: 1000))).Items.Count;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
