using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Clearinghouse.Storage;
using Microsoft.Data.Sqlite;

namespace Clearinghouse.Server.Tests;

/// <summary>
/// Federation between real nodes on loopback, each with its own SQLite store and signing key: convergence with
/// provenance (A→B, A→B→C), withdrawals, resume after a consumer is stopped mid-sync, a forked log, a value that does
/// not open its commitment, a wrong verifier key, dead and slow peers, and opinions flowing back to the origin.
/// </summary>
public sealed class FederationTests
{
    [Fact]
    public async Task Signals_flow_A_to_B_to_C_with_provenance_and_only_what_the_key_may_see()
    {
        await using var a = await Federation.StartAsync("node-a");
        await using var b = await Federation.StartAsync("node-b");
        await using var c = await Federation.StartAsync("node-c");
        await a.ClientA.CreateBank("shared-a");
        await a.ClientC.CreateBank("private-c", scope: "private");
        string[] values = [Http.RandomPdq(), Http.RandomPdq(), Http.RandomPdq()];
        foreach (string v in values)
        {
            await a.ClientA.AddSignal("shared-a", v);
        }

        string hidden = Http.RandomPdq();
        await a.ClientC.AddSignal("private-c", hidden);

        await Federation.PairAsync(a, b, "a", "from-a");
        JsonNode status = await Federation.SyncAsync(b, "a");
        Assert.Equal("synced", (string)status["status"]!["state"]!);
        Assert.Equal(0L, (long)status["status"]!["lag_entries"]!);
        Assert.Equal(3L, (long)status["status"]!["imported"]!);

        foreach (string v in values)
        {
            Assert.Single(Http.MatchedIds(await b.ClientB.Match(v)));
        }

        Assert.Empty(Http.MatchedIds(await b.ClientB.Match(hidden)));

        // Provenance: through the API and in B's own log (signal-added with origin fields).
        long imported = Http.MatchedIds(await b.ClientB.Match(values[0]))[0];
        JsonNode provenance = await b.ClientB.GetAsync($"/api/v1/signals/{imported}/provenance").Expect(HttpStatusCode.OK);
        Assert.Equal("a", (string)provenance["peer"]!);
        Assert.Equal("node-a.test/log", (string)provenance["origin_log"]!);
        Assert.Equal("Member A", (string)provenance["origin_member"]!);
        List<JsonObject> logB = await Federation.LogAsync(b);
        JsonObject importEntry = logB.Single(e => (string)e["type"]! == "signal-added" && (string?)e["originPublicId"] == (string)provenance["origin_public_id"]!);
        Assert.Equal("peer:a", (string)importEntry["member"]!);
        Assert.Equal("node-a.test/log", (string)importEntry["originLog"]!);

        // C pulls from B: the origin stays A and its contributor.
        await Federation.PairAsync(b, c, "b", "from-b");
        await Federation.SyncAsync(c, "b");
        foreach (string v in values)
        {
            Assert.Single(Http.MatchedIds(await c.ClientB.Match(v)));
        }

        long atC = Http.MatchedIds(await c.ClientB.Match(values[0]))[0];
        JsonNode chain = await c.ClientB.GetAsync($"/api/v1/signals/{atC}/provenance").Expect(HttpStatusCode.OK);
        Assert.Equal("b", (string)chain["peer"]!);
        Assert.Equal("node-a.test/log", (string)chain["origin_log"]!);
        Assert.Equal("Member A", (string)chain["origin_member"]!);
        Assert.Equal((string)provenance["origin_public_id"]!, (string)chain["origin_public_id"]!);

        // Withdrawn on A: gone on B and C after their next passes; re-syncing changes nothing more.
        long atA = Http.MatchedIds(await a.ClientA.Match(values[1]))[0];
        await a.ClientA.DeleteAsync($"/api/v1/signals/{atA}?reason=mistake").Expect(HttpStatusCode.OK);
        JsonNode afterDelete = await Federation.SyncAsync(b, "a");
        Assert.Equal(1L, (long)afterDelete["status"]!["withdrawn"]!);
        Assert.Empty(Http.MatchedIds(await b.ClientB.Match(values[1])));
        await Federation.SyncAsync(c, "b");
        Assert.Empty(Http.MatchedIds(await c.ClientB.Match(values[1])));
        Assert.Single(Http.MatchedIds(await c.ClientB.Match(values[0])));
        await Federation.SyncAsync(b, "a");
        Assert.Equal(3, (await Federation.SignalsAsync(b, "from-a")).Count);
        Assert.Single(await Federation.SignalsAsync(b, "from-a", SignalStatus.Withdrawn));
        Assert.Contains(await Federation.LogAsync(b), e => (string)e["type"]! == "signal-withdrawn" && (string)e["member"]! == "peer:a");
    }

    [Fact]
    public async Task The_background_worker_converges_without_being_asked()
    {
        await using var a = await Federation.StartAsync("node-a");
        await using var b = await Federation.StartAsync("node-b");
        await a.ClientA.CreateBank("shared-a");
        await Federation.PairAsync(a, b, "a", "from-a");
        string v = Http.RandomPdq();
        await a.ClientA.AddSignal("shared-a", v);
        await Http.Eventually(async () => Http.MatchedIds(await b.ClientB.Match(v)).Count == 1, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_consumer_stopped_mid_sync_resumes_from_its_cursor_without_loss_or_duplicates()
    {
        const int count = 400;
        await using var a = await Federation.StartAsync("node-a");
        await a.ClientA.CreateBank("shared-a");
        Bank bankA = (await a.Store.FindBankAsync("shared-a"))!;
        var values = Enumerable.Range(0, count).Select(_ => Http.RandomPdq()).ToList();
        foreach (var chunk in values.Chunk(50))
        {
            // Separate transactions, so the log interleaves many small adds.
            await a.Store.AddSignalsAsync(bankA.Id, a.A.Id, [.. chunk.Select(v => new NewSignal("pdq", v))]);
        }

        string directory = Path.Combine(Path.GetTempPath(), "ch-fed-resume-" + Guid.NewGuid().ToString("N"));
        var slow = Federation.Fast with { BatchEntries = 7, ParallelRequests = 1 };
        var first = await NodeHarness.StartAsync(() => new SqliteStore(directory), directory + "-unused", null,
            o => o with { Federation = slow }, migrate: true, waitReady: true, seedMembers: true);
        await Federation.PairAsync(a, first, "a", "from-a");

        // Let the worker apply some batches, then stop the node in the middle of its sync.
        await Http.Eventually(async () => (long)(await Federation.StatusAsync(first, "a"))["status"]!["cursor"]! > 50, TimeSpan.FromSeconds(30));
        await first.App.StopAsync();
        Peer stopped = (await ((IFederationStore)first.Store).FindPeerAsync("a"))!;
        long size = (await a.Store.GetLogHeadAsync()).Size;
        Assert.InRange(stopped.State.Cursor, 51, size - 1);
        int importedAtStop = (await Federation.SignalsAsync(first, "from-a")).Count;
        Assert.Equal(stopped.State.Imported, importedAtStop);
        await first.DisposeAsync();

        await using var second = await NodeHarness.StartAsync(() => new SqliteStore(directory), directory, null,
            o => o with { Federation = Federation.Fast }, migrate: true, waitReady: true, seedMembers: false);
        second.ShareMembersOf(first);
        await Http.Eventually(async () => (long)(await ((IFederationStore)second.Store).FindPeerAsync("a"))!.State.Cursor == size, TimeSpan.FromSeconds(30));
        List<Signal> signals = await Federation.SignalsAsync(second, "from-a");
        Assert.Equal(count, signals.Count);
        Assert.Equal(values.Order(StringComparer.Ordinal), signals.Select(s => s.Value).Order(StringComparer.Ordinal));
        Assert.Equal(count, (await ((IFederationStore)second.Store).FindPeerAsync("a"))!.State.Imported);
    }

    [Fact]
    public async Task A_peer_whose_log_forks_is_stopped_and_nothing_further_is_applied()
    {
        await using var a = await Federation.StartAsync("node-a");
        await using var b = await Federation.StartAsync("node-b");
        await a.ClientA.CreateBank("shared-a");
        await a.ClientA.AddSignal("shared-a", Http.RandomPdq());
        await Federation.PairAsync(a, b, "a", "from-a");
        await Federation.SyncAsync(b, "a");

        // Rewrite A's history in its database: the same size now has another root, which A signs.
        LogHead head = await a.Store.GetLogHeadAsync();
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(a.Directory, SqliteStore.DatabaseFileName)}"))
        {
            await db.OpenAsync();
            await using var update = db.CreateCommand();
            update.CommandText = "UPDATE log_head SET root = $root WHERE id = 1";
            update.Parameters.AddWithValue("$root", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            await update.ExecuteNonQueryAsync();
        }

        JsonNode status = await Federation.SyncAsync(b, "a");
        Assert.Equal("stopped", (string)status["status"]!["state"]!);
        Assert.Contains("fork", (string)status["status"]!["last_error"]!, StringComparison.Ordinal);
        Assert.Equal(head.Size, (long)status["status"]!["cursor"]!);

        // The worker does not retry a stopped peer, and another sync applies nothing.
        long attempts = (long)status["status"]!["attempts"]!;
        await Task.Delay(1000);
        JsonNode later = await Federation.StatusAsync(b, "a");
        Assert.Equal(attempts, (long)later["status"]!["attempts"]!);
        Assert.True((bool)later["status"]!["stopped"]!);
    }

    [Fact]
    public async Task Entries_edited_in_the_peers_database_do_not_hash_to_its_signed_root_and_stop_the_sync()
    {
        await using var a = await Federation.StartAsync("node-a");
        await using var b = await Federation.StartAsync("node-b");
        await a.ClientA.CreateBank("shared-a");
        await a.ClientA.AddSignal("shared-a", Http.RandomPdq());
        await a.ClientA.AddSignal("shared-a", Http.RandomPdq());
        long lastIndex = (await a.Store.GetLogHeadAsync()).Size - 1;
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(a.Directory, SqliteStore.DatabaseFileName)}"))
        {
            await db.OpenAsync();
            await using var update = db.CreateCommand();
            update.CommandText = "UPDATE log_entries SET body = replace(body, '\"bank\":\"shared-a\"', '\"bank\":\"shared-x\"') WHERE idx = $idx";
            update.Parameters.AddWithValue("$idx", lastIndex);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await Federation.PairAsync(a, b, "a", "from-a");
        JsonNode status = await Federation.SyncAsync(b, "a");
        Assert.Equal("stopped", (string)status["status"]!["state"]!);
        Assert.Contains("not its signed log", (string)status["status"]!["last_error"]!, StringComparison.Ordinal);
        Assert.Equal(0L, (long)status["status"]!["cursor"]!);
        Assert.Empty(await Federation.SignalsAsync(b, "from-a"));
    }

    [Fact]
    public async Task A_value_that_does_not_open_its_commitment_stops_the_sync_before_anything_is_applied()
    {
        await using var a = await Federation.StartAsync("node-a");
        await using var b = await Federation.StartAsync("node-b");
        await a.ClientA.CreateBank("shared-a");
        await a.ClientA.AddSignal("shared-a", Http.RandomPdq());
        long tampered = await a.ClientA.AddSignal("shared-a", Http.RandomPdq());
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(a.Directory, SqliteStore.DatabaseFileName)}"))
        {
            await db.OpenAsync();
            await using var update = db.CreateCommand();
            update.CommandText = "UPDATE signals SET value = $value WHERE id = $id";
            update.Parameters.AddWithValue("$value", Http.RandomPdq());
            update.Parameters.AddWithValue("$id", tampered);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        await Federation.PairAsync(a, b, "a", "from-a");
        JsonNode status = await Federation.SyncAsync(b, "a");
        Assert.Equal("stopped", (string)status["status"]!["state"]!);
        Assert.Contains("does not match the commitment", (string)status["status"]!["last_error"]!, StringComparison.Ordinal);
        Assert.Empty(await Federation.SignalsAsync(b, "from-a"));
    }

    [Fact]
    public async Task A_checkpoint_signed_by_another_key_stops_the_sync_and_says_why()
    {
        await using var a = await Federation.StartAsync("node-a");
        await using var b = await Federation.StartAsync("node-b");
        await using var impostor = await Federation.StartAsync("node-a");
        await a.ClientA.CreateBank("shared-a");
        await a.ClientA.AddSignal("shared-a", Http.RandomPdq());
        string wrongKey = (await impostor.Anonymous.GetStringAsync("/log/verifier-key")).Trim();
        await Federation.PairAsync(a, b, "a", "from-a", verifierKey: wrongKey);
        JsonNode status = await Federation.SyncAsync(b, "a");
        Assert.Equal("stopped", (string)status["status"]!["state"]!);
        Assert.Contains("does not verify under the configured verifier key", (string)status["status"]!["last_error"]!, StringComparison.Ordinal);
        Assert.Empty(await Federation.SignalsAsync(b, "from-a"));

        // A malformed key is refused when the peer is added.
        await b.OperatorClient.PostJson("/api/v1/peers", new Dictionary<string, object?>
        {
            ["name"] = "bad",
            ["url"] = a.BaseAddress.ToString(),
            ["verifier_key"] = "not-a-key",
            ["api_key"] = "x",
            ["local_bank"] = "from-a",
        }).ExpectProblem(HttpStatusCode.BadRequest, "verifier_key");
    }

    [Fact]
    public async Task A_dead_peer_is_retried_with_growing_backoff_and_a_slow_one_times_out_never_a_busy_loop()
    {
        await using var b = await Federation.StartAsync("node-b", Federation.Fast with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        await b.OperatorClient.CreateBank("from-dead");

        // A "dead" peer: accepts connections and closes them at once; each accept is recorded.
        using var dead = new TcpListener(IPAddress.Loopback, 0);
        dead.Start();
        var accepts = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await dead.AcceptSocketAsync(stop.Token);
                lock (accepts)
                {
                    accepts.Add(clock.Elapsed);
                }

                socket.Close(0);
            }
        });

        var verifier = Clearinghouse.Ledger.Keys.NodeSigningKey.Generate("dead.test/log").VerifierKey;
        await b.OperatorClient.PostJson("/api/v1/peers", new Dictionary<string, object?>
        {
            ["name"] = "dead",
            ["url"] = $"http://127.0.0.1:{((IPEndPoint)dead.LocalEndpoint).Port}",
            ["verifier_key"] = verifier,
            ["api_key"] = "chk_x_y",
            ["local_bank"] = "from-dead",
        }).Expect(HttpStatusCode.Created);
        await Task.Delay(TimeSpan.FromSeconds(6));
        JsonNode status = await Federation.StatusAsync(b, "dead");
        await stop.CancelAsync();
        dead.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => acceptLoop);

        long passes = (long)status["status"]!["attempts"]!;
        Assert.Equal("retrying", (string)status["status"]!["state"]!);
        Assert.InRange((long)(int)status["status"]!["consecutive_failures"]!, passes - 1, passes); // a pass may be under way
        Assert.False((bool)status["status"]!["stopped"]!);
        Assert.NotNull((string?)status["status"]!["last_error"]);

        // 200 ms polls without backoff would make ≈ 30 passes in 6 s; with backoff capped at 2 s there are ≈ 6.
        Assert.InRange(passes, 3, 12);
        List<TimeSpan> times;
        lock (accepts)
        {
            times = [.. accepts];
        }

        // Two attempts per pass at most (RequestAttempts = 2), plus the first request retried by the HTTP stack.
        Assert.InRange(times.Count, passes, passes * 4);
        var gaps = times.Zip(times.Skip(1), (x, y) => y - x).Where(g => g > TimeSpan.FromMilliseconds(120)).ToList();
        Assert.True(gaps.Count >= 2 && gaps[^1] > gaps[0] * 2, $"gaps between passes did not grow: {string.Join(", ", gaps.Select(g => g.TotalMilliseconds))}");
    }

    [Fact]
    public async Task A_slow_peer_times_out_and_the_error_is_visible()
    {
        await using var b = await Federation.StartAsync("node-b", Federation.Fast with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        await b.OperatorClient.CreateBank("from-slow");
        using var slow = new TcpListener(IPAddress.Loopback, 0);
        slow.Start();
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await slow.AcceptSocketAsync(stop.Token)); // never answers
            }
        });
        await b.OperatorClient.PostJson("/api/v1/peers", new Dictionary<string, object?>
        {
            ["name"] = "slow",
            ["url"] = $"http://127.0.0.1:{((IPEndPoint)slow.LocalEndpoint).Port}",
            ["verifier_key"] = Clearinghouse.Ledger.Keys.NodeSigningKey.Generate("slow.test/log").VerifierKey,
            ["api_key"] = "chk_x_y",
            ["local_bank"] = "from-slow",
            ["enabled"] = false,
        }).Expect(HttpStatusCode.Created);
        var clock = Stopwatch.StartNew();
        JsonNode status = await Federation.SyncAsync(b, "slow");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a pass against a silent peer took {clock.Elapsed}");
        Assert.Contains("timed out", (string)status["status"]!["last_error"]!, StringComparison.Ordinal);
        await stop.CancelAsync();
        slow.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => acceptLoop);
        foreach (var s in held)
        {
            s.Dispose();
        }
    }

    [Fact]
    public async Task A_negative_opinion_and_an_upheld_dispute_on_an_imported_signal_reach_the_origins_log()
    {
        await using var a = await Federation.StartAsync("node-a");
        await using var b = await Federation.StartAsync("node-b");
        await a.ClientA.CreateBank("shared-a");
        string v1 = Http.RandomPdq();
        string v2 = Http.RandomPdq();
        long atA1 = await a.ClientA.AddSignal("shared-a", v1);
        await a.ClientA.AddSignal("shared-a", v2);
        await Federation.PairAsync(a, b, "a", "from-a");
        await Federation.SyncAsync(b, "a");
        long atB1 = Http.MatchedIds(await b.ClientB.Match(v1))[0];
        long atB2 = Http.MatchedIds(await b.ClientB.Match(v2))[0];

        await b.ClientB.PostJson($"/api/v1/signals/{atB1}/opinions", new { kind = "negative", note = "benign meme" }).Expect(HttpStatusCode.OK);
        string b2Public = (await b.Store.GetSignalAsync(atB2))!.PublicId;
        JsonNode dispute = await b.ClientC.PostJson("/api/v1/disputes", new { signal_id = b2Public, statement = "lawful news report" }).Expect(HttpStatusCode.Created);
        await b.OperatorClient.PostJson($"/api/v1/disputes/{(string)dispute["dispute_id"]!}/resolve", new { outcome = "upheld", reason = "news reporting" }).Expect(HttpStatusCode.OK);
        // Both written with the opinion and the resolution (the worker may have sent some already).
        Peer peerA = (await ((IFederationStore)b.Store).FindPeerAsync("a"))!;
        IReadOnlyList<OutboxItem> outbox = await ((IFederationStore)b.Store).ListOutboxAsync(peerA.Id);
        Assert.Equal([OutboxKind.NegativeOpinion, OutboxKind.UpheldDispute], outbox.Select(o => o.Kind));

        await Federation.SyncAsync(b, "a");
        Assert.Equal(0, (int)(await Federation.StatusAsync(b, "a"))["status"]!["outbox_pending"]!);
        List<JsonObject> logA = await Federation.LogAsync(a);
        string a1Public = (await a.Store.GetSignalAsync(atA1))!.PublicId;
        Assert.Contains(logA, e => (string)e["type"]! == "opinion-recorded" && (string)e["publicId"]! == a1Public
            && (string)e["opinion"]! == "negative" && (string)e["member"]! == "node a reader");
        Assert.Contains(logA, e => (string)e["type"]! == "dispute-filed" && (string?)e["filedBy"] == "node a reader");
    }
}

/// <summary>Federation with PostgreSQL stores: A (PostgreSQL) → B (PostgreSQL) → C (SQLite) converge with provenance.</summary>
public sealed class PostgresFederationTests
{
    [Fact]
    public async Task Postgres_nodes_converge_with_provenance_and_withdrawals()
    {
        string dbA = await Clearinghouse.Tests.PostgresCluster.Instance.CreateDatabaseAsync("fed_a");
        string dbB = await Clearinghouse.Tests.PostgresCluster.Instance.CreateDatabaseAsync("fed_b");
        await using var a = await StartPostgresAsync("node-a", dbA);
        await using var b = await StartPostgresAsync("node-b", dbB);
        await using var c = await Federation.StartAsync("node-c");
        await a.ClientA.CreateBank("shared-a");
        var values = Enumerable.Range(0, 20).Select(_ => Http.RandomPdq()).ToList();
        foreach (string v in values)
        {
            await a.ClientA.AddSignal("shared-a", v);
        }

        await Federation.PairAsync(a, b, "a", "from-a");
        await Federation.SyncAsync(b, "a");
        await Federation.PairAsync(b, c, "b", "from-b");
        await Federation.SyncAsync(c, "b");
        Assert.Equal(values.Order(StringComparer.Ordinal), (await Federation.SignalsAsync(b, "from-a")).Select(s => s.Value).Order(StringComparer.Ordinal));
        Assert.Equal(values.Order(StringComparer.Ordinal), (await Federation.SignalsAsync(c, "from-b")).Select(s => s.Value).Order(StringComparer.Ordinal));
        long atC = Http.MatchedIds(await c.ClientB.Match(values[3]))[0];
        JsonNode provenance = await c.ClientB.GetAsync($"/api/v1/signals/{atC}/provenance").Expect(HttpStatusCode.OK);
        Assert.Equal(("node-a.test/log", "Member A"), ((string)provenance["origin_log"]!, (string)provenance["origin_member"]!));

        long atA = Http.MatchedIds(await a.ClientA.Match(values[3]))[0];
        await a.ClientA.DeleteAsync($"/api/v1/signals/{atA}").Expect(HttpStatusCode.OK);
        await Federation.SyncAsync(b, "a");
        await Federation.SyncAsync(c, "b");
        Assert.Empty(Http.MatchedIds(await c.ClientB.Match(values[3])));
        Assert.Single(Http.MatchedIds(await c.ClientB.Match(values[4])));
    }

    private static Task<NodeHarness> StartPostgresAsync(string name, string connectionString) =>
        NodeHarness.StartAsync(
            () => new PostgresStore(connectionString),
            Path.Combine(Path.GetTempPath(), "ch-fed-pg-" + Guid.NewGuid().ToString("N")),
            () => new ValueTask(Clearinghouse.Tests.PostgresCluster.Instance.DropDatabaseAsync(connectionString)),
            o => o with { LogSigningKey = Clearinghouse.Ledger.Keys.NodeSigningKey.Generate($"{name}.test/log"), Federation = Federation.Fast },
            migrate: true,
            waitReady: true,
            seedMembers: true);
}
