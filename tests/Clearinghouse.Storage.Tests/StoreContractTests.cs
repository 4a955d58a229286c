using System.Globalization;

namespace Clearinghouse.Storage.Tests;

/// <summary>
/// The behaviour every store must have. Each concrete subclass runs all of it against one real database
/// (SQLite, PostgreSQL). Every test gets a fresh database, migrated and holding the default taxonomy.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private readonly List<TestDatabase> _databases = [];
    private readonly List<IClearinghouseStore> _stores = [];

    protected TestDatabase Database { get; private set; } = null!;

    protected IClearinghouseStore Store { get; private set; } = null!;

    /// <summary>A fresh, empty database of this subclass's kind.</summary>
    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        Database = await NewDatabaseAsync();
        Store = Open(Database);
        await Store.MigrateAsync();
        await Store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault());
    }

    public async Task DisposeAsync()
    {
        foreach (IClearinghouseStore store in _stores)
        {
            await store.DisposeAsync();
        }

        foreach (TestDatabase database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>Another fresh database, cleaned up with the test.</summary>
    protected async Task<TestDatabase> NewDatabaseAsync()
    {
        TestDatabase database = await CreateDatabaseAsync();
        _databases.Add(database);
        return database;
    }

    /// <summary>Another store object on a database, disposed with the test.</summary>
    protected IClearinghouseStore Open(TestDatabase database)
    {
        IClearinghouseStore store = database.OpenStore();
        _stores.Add(store);
        return store;
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    protected const string NoDesignationCategory = "attack-footage";

    protected const string DesignationCategory = "designated-entity";

    private int _names;

    protected string Unique(string prefix) => prefix + "-" + Interlocked.Increment(ref _names).ToString(CultureInfo.InvariantCulture);

    protected Task<Member> MemberAsync(string? name = null) => Store.CreateMemberAsync(name ?? Unique("member"));

    protected Task<Bank> BankAsync(Member owner, string? name = null, string category = NoDesignationCategory, SharingScope scope = SharingScope.AllMembers, long? groupId = null) =>
        Store.CreateBankAsync(new NewBank(name ?? Unique("BANK"), category, owner.Id, scope, groupId));

    /// <summary>A distinct, canonical-looking PDQ value for each number.</summary>
    protected static string PdqValue(int n) => n.ToString("x8", CultureInfo.InvariantCulture).PadLeft(64, 'a');

    protected static NewSignal Sig(int n, string? designation = null, string? metadata = null) => new("pdq", PdqValue(n), designation, metadata);

    protected static async Task<StoreException> Refused(StoreError error, Func<Task> action)
    {
        StoreException e = await Assert.ThrowsAsync<StoreException>(action);
        Assert.True(e.Error == error, $"expected {error}, got {e.Error}: {e.Message}");
        return e;
    }

    /// <summary>Adds signals that must all be accepted; returns their ids in order.</summary>
    protected async Task<long[]> AddAllAsync(Bank bank, Member contributor, params NewSignal[] signals)
    {
        IReadOnlyList<AddSignalResult> results = await Store.AddSignalsAsync(bank.Id, contributor.Id, signals);
        Assert.All(results, r => Assert.Equal(SignalRejection.None, r.Rejection));
        return [.. results.Select(r => r.SignalId)];
    }

    /// <summary>Everything in the feed after <paramref name="after"/>, read in pages of <paramref name="pageSize"/>.</summary>
    protected async Task<(List<Signal> Signals, List<Bank> Banks, long Position)> ReadAllChangesAsync(long after = 0, int pageSize = 10_000)
    {
        var signals = new List<Signal>();
        var banks = new List<Bank>();
        while (true)
        {
            ChangeBatch batch = await Store.ReadChangesAsync(after, pageSize);
            signals.AddRange(batch.Signals);
            banks.AddRange(batch.Banks);
            if (batch.Position == after)
            {
                return (signals, banks, after);
            }

            after = batch.Position;
        }
    }
}
