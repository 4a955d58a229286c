using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Clearinghouse.Storage;

namespace Clearinghouse.Benchmarks;

/// <summary>
/// The store's two bulk paths, per signal (OperationsPerInvoke): importing 100 k PDQ signals into an empty bank in
/// one <c>AddSignalsAsync</c> call (one transaction, committed durably), and reading 1 M signals back through the
/// change feed in pages of 100 k (how a node loads its indexes at start-up). SQLite always; PostgreSQL when
/// <c>CLEARINGHOUSE_BENCH_POSTGRES</c> holds a connection string (each run uses a fresh database in it).
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Clearinghouse.Benchmarks -- --filter '*StoreBenchmarks*'</c>.
/// Signals per second = 1 / (reported time per operation).
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 5)]
public class StoreBenchmarks
{
    public const string PostgresVariable = "CLEARINGHOUSE_BENCH_POSTGRES";

    private const int ImportSize = 100_000;
    private const int FeedSize = 1_000_000;
    private const int FeedPage = 100_000;

    private readonly List<Func<Task>> _cleanups = [];
    private NewSignal[] _import = [];
    private IClearinghouseStore _importStore = null!;
    private IClearinghouseStore _feedStore = null!;
    private Member _member = null!;
    private long _importBank;
    private int _iteration;

    [ParamsSource(nameof(Databases))]
    public string Database { get; set; } = "sqlite";

    public static IEnumerable<string> Databases() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresVariable)) ? ["sqlite"] : ["sqlite", "postgres"];

    [GlobalSetup]
    public async Task Setup()
    {
        _import = Signals(ImportSize, seed: 1);
        _importStore = await OpenFreshAsync();
        _member = await _importStore.CreateMemberAsync("bench");

        // The feed database: 1 M signals in ten banks, imported once.
        _feedStore = await OpenFreshAsync();
        Member owner = await _feedStore.CreateMemberAsync("bench");
        for (int i = 0; i < FeedSize / ImportSize; i++)
        {
            Bank bank = await _feedStore.CreateBankAsync(new NewBank($"FEED_{i}", "attack-footage", owner.Id));
            await _feedStore.AddSignalsAsync(bank.Id, owner.Id, Signals(ImportSize, seed: 100 + i));
        }
    }

    /// <summary>Each import goes into a new, empty bank, so every iteration inserts 100 k new rows.</summary>
    [IterationSetup(Target = nameof(ImportSignals))]
    public void NewBank() =>
        _importBank = _importStore.CreateBankAsync(new NewBank($"IMPORT_{_iteration++}", "attack-footage", _member.Id)).GetAwaiter().GetResult().Id;

    [Benchmark(OperationsPerInvoke = ImportSize)]
    public async Task<int> ImportSignals()
    {
        IReadOnlyList<AddSignalResult> results = await _importStore.AddSignalsAsync(_importBank, _member.Id, _import);
        return results.Count;
    }

    [Benchmark(OperationsPerInvoke = FeedSize)]
    public async Task<long> ReadFeed()
    {
        long position = 0;
        long count = 0;
        while (true)
        {
            ChangeBatch batch = await _feedStore.ReadChangesAsync(position, FeedPage);
            if (batch.Position == position)
            {
                return count == FeedSize + (FeedSize / ImportSize) ? count : throw new InvalidOperationException($"read {count} changes");
            }

            count += batch.Signals.Count + batch.Banks.Count;
            position = batch.Position;
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _importStore.DisposeAsync();
        await _feedStore.DisposeAsync();
        foreach (Func<Task> cleanup in _cleanups)
        {
            await cleanup();
        }
    }

    private async Task<IClearinghouseStore> OpenFreshAsync()
    {
        IClearinghouseStore store;
        if (Database == "postgres")
        {
            var admin = new Npgsql.NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(PostgresVariable));
            string name = "ch_bench_" + Guid.NewGuid().ToString("N");
            await Execute(admin.ConnectionString, $"CREATE DATABASE \"{name}\"");
            _cleanups.Add(() => Execute(admin.ConnectionString, $"DROP DATABASE \"{name}\" WITH (FORCE)"));
            store = new PostgresStore(new Npgsql.NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name }.ConnectionString);
        }
        else
        {
            string directory = Path.Combine(Path.GetTempPath(), "clearinghouse-bench-" + Guid.NewGuid().ToString("N"));
            _cleanups.Add(() =>
            {
                Directory.Delete(directory, recursive: true);
                return Task.CompletedTask;
            });
            store = new SqliteStore(directory);
        }

        await store.MigrateAsync();
        await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault());
        return store;
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Distinct random PDQ-shaped values (64 lower-case hex digits).</summary>
    private static NewSignal[] Signals(int count, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[32];
        var signals = new NewSignal[count];
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            signals[i] = new NewSignal("pdq", Convert.ToHexStringLower(bytes));
        }

        return signals;
    }
}
