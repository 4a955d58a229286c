using System.Net.Http.Headers;
using Clearinghouse.Server.Auth;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Tests;

/// <summary>
/// A real node on a loopback port over a real SQLite store in a temporary directory, with members and keys:
/// the operator (admin), members A, B and C (A and C share a sharing group), and keys of various scopes.
/// </summary>
public sealed class NodeHarness : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private readonly Func<IClearinghouseStore> _openStore;
    private readonly Func<ValueTask>? _cleanUp;

    private NodeHarness(string directory, IClearinghouseStore store, Func<IClearinghouseStore> openStore, Func<ValueTask>? cleanUp, WebApplication app, Uri baseAddress)
    {
        Directory = directory;
        Store = store;
        _openStore = openStore;
        _cleanUp = cleanUp;
        App = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The SQLite data directory (for SQLite nodes).</summary>
    public string Directory { get; }

    /// <summary>The store the node serves (tests may write through it directly, as another route would).</summary>
    public IClearinghouseStore Store { get; }

    /// <summary>Opens another store on the same database, as another replica or process would.</summary>
    public IClearinghouseStore OpenReplicaStore() => _openStore();

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public Member Operator { get; private set; } = null!;

    public Member A { get; private set; } = null!;

    public Member B { get; private set; } = null!;

    public Member C { get; private set; } = null!;

    public SharingGroup GroupAC { get; private set; } = null!;

    /// <summary>Keys with every scope (the operator's also has admin).</summary>
    public string OperatorKey { get; private set; } = null!;

    public string KeyA { get; private set; } = null!;

    public string KeyB { get; private set; } = null!;

    public string KeyC { get; private set; } = null!;

    /// <summary>A key of member A with only the match scope.</summary>
    public string MatchOnlyKeyA { get; private set; } = null!;

    /// <summary>A client without a key.</summary>
    public HttpClient Anonymous => Client(null);

    public HttpClient ClientA => Client(KeyA);

    public HttpClient ClientB => Client(KeyB);

    public HttpClient ClientC => Client(KeyC);

    public HttpClient OperatorClient => Client(OperatorKey);

    /// <summary>Starts a node; <paramref name="configure"/> adjusts its options; <paramref name="migrate"/> false leaves the store empty.</summary>
    public static Task<NodeHarness> StartAsync(Func<NodeOptions, NodeOptions>? configure = null, bool migrate = true, bool waitReady = true)
    {
        string directory = Path.Combine(Path.GetTempPath(), "ch-server-" + Guid.NewGuid().ToString("N"));
        return StartAsync(() => new SqliteStore(directory), directory, null, configure, migrate, waitReady, seedMembers: true);
    }

    /// <summary>Starts a node over any store <paramref name="openStore"/> opens (each call a new instance on the same database).</summary>
    public static async Task<NodeHarness> StartAsync(
        Func<IClearinghouseStore> openStore,
        string directory,
        Func<ValueTask>? cleanUp,
        Func<NodeOptions, NodeOptions>? configure,
        bool migrate,
        bool waitReady,
        bool seedMembers)
    {
        var store = openStore();
        var options = new NodeOptions
        {
            Store = store,
            Urls = ["http://127.0.0.1:0"],
            ChangePollInterval = TimeSpan.FromMilliseconds(100),
            HmaDefaultCategory = null,
        };
        options = configure?.Invoke(options) ?? options;
        if (migrate)
        {
            await SeedAsync(store);
        }

        var app = NodeApplication.Build(options, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var address = new Uri(NodeApplication.BoundUrls(app)[0]);
        var node = new NodeHarness(directory, store, openStore, cleanUp, app, address);
        if (migrate && seedMembers)
        {
            await node.SeedMembersAsync();
        }

        if (waitReady)
        {
            await node.WaitReadyAsync();
        }

        return node;
    }

    /// <summary>Migrates and loads the taxonomy.</summary>
    public static async Task SeedAsync(IClearinghouseStore store)
    {
        await store.MigrateAsync();
        await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault());
    }

    /// <summary>Uses the members and keys another harness created in the same database.</summary>
    public void ShareMembersOf(NodeHarness other)
    {
        (Operator, A, B, C, GroupAC) = (other.Operator, other.A, other.B, other.C, other.GroupAC);
        (OperatorKey, KeyA, KeyB, KeyC, MatchOnlyKeyA) = (other.OperatorKey, other.KeyA, other.KeyB, other.KeyC, other.MatchOnlyKeyA);
    }

    public async Task SeedMembersAsync()
    {
        var issuer = new ApiKeyIssuer(Store);
        Operator = await Store.CreateMemberAsync("Operator");
        A = await Store.CreateMemberAsync("Member A");
        B = await Store.CreateMemberAsync("Member B");
        C = await Store.CreateMemberAsync("Member C");
        GroupAC = await Store.CreateSharingGroupAsync("A and C");
        await Store.AddGroupMemberAsync(GroupAC.Id, A.Id);
        await Store.AddGroupMemberAsync(GroupAC.Id, C.Id);
        OperatorKey = (await issuer.IssueAsync(Operator.Id, ApiScopes.All, "operator")).Key;
        var memberScopes = ApiScopes.Hash | ApiScopes.Match | ApiScopes.Contribute | ApiScopes.Review;
        KeyA = (await issuer.IssueAsync(A.Id, memberScopes, "a")).Key;
        KeyB = (await issuer.IssueAsync(B.Id, memberScopes, "b")).Key;
        KeyC = (await issuer.IssueAsync(C.Id, memberScopes, "c")).Key;
        MatchOnlyKeyA = (await issuer.IssueAsync(A.Id, ApiScopes.Match, "a match only")).Key;
    }

    /// <summary>Issues another key for a member.</summary>
    public async Task<IssuedApiKey> IssueKeyAsync(Member member, ApiScopes scopes) => await new ApiKeyIssuer(Store).IssueAsync(member.Id, scopes, "test");

    /// <summary>An HTTP client sending <paramref name="key"/> as a bearer token (none when null).</summary>
    public HttpClient Client(string? key, bool useApiKeyHeader = false)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            if (useApiKeyHeader)
            {
                client.DefaultRequestHeaders.Add("X-Api-Key", key);
            }
            else
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }

        _clients.Add(client);
        return client;
    }

    public async Task WaitReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync("/status");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The node did not become ready within 30 s.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await App.StopAsync();
        await App.DisposeAsync();
        await Store.DisposeAsync();
        if (_cleanUp is not null)
        {
            await _cleanUp();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
