using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Clearinghouse.Tests;

/// <summary>
/// One throwaway PostgreSQL cluster per test process: initdb into a fresh temp directory (as the <c>postgres</c>
/// OS user when running as root, which initdb refuses), started on a free loopback port with its socket inside that
/// directory, stopped and deleted when the process exits. Test classes or tests each create their own database in
/// it, so they never see each other's rows. With <see cref="ExternalServerVariable"/> set, that server is used
/// instead (it must allow CREATE DATABASE).
/// </summary>
/// <remarks>
/// Needs Npgsql: link this file only into test projects that reference it (directly or through
/// Clearinghouse.Storage). Missing PostgreSQL binaries make the tests fail with the command that installs them;
/// they are never skipped.
/// </remarks>
public sealed class PostgresCluster : IDisposable
{
    /// <summary>A connection string to an existing server to use instead of starting one.</summary>
    public const string ExternalServerVariable = "CLEARINGHOUSE_TEST_POSTGRES";

    private const string DirectoryPrefix = "clearinghouse-pg-";

    private static readonly Lazy<PostgresCluster> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string? _root;
    private readonly string? _binaries;
    private readonly bool _asPostgresUser;
    private int _disposed;

    private PostgresCluster(string adminConnectionString, string? root, string? binaries, bool asPostgresUser)
    {
        AdminConnectionString = adminConnectionString;
        _root = root;
        _binaries = binaries;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The process's cluster, started on first use (a failure to start fails every test that asks).</summary>
    public static PostgresCluster Instance => Shared.Value;

    /// <summary>A superuser connection to the cluster's <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Creates an empty database with a unique name and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        string safe = new([.. prefix.ToLowerInvariant().Where(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9')).Take(20)]);
        string name = $"ch_{safe}_{Guid.NewGuid():N}"; // at most 56 characters: PostgreSQL allows 63
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing any connection still open to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        string name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the cluster and deletes its directory (nothing for an external server).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _root is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            // Immediate: a throwaway cluster needs no shutdown checkpoint, and the test host may be killed soon.
            PgCtl(Path.Combine(_root, "data"), "stop", "-m", "immediate", "-w", "-t", "60");
        }
        finally
        {
            TryDelete(_root);
        }
    }

    private static PostgresCluster Start()
    {
        string? external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new PostgresCluster(external, null, null, false);
        }

        string binaries = FindBinaries();
        bool asPostgresUser = Environment.UserName == "root";
        RemoveStaleClusters(binaries, asPostgresUser);

        string root = Path.Combine(Path.GetTempPath(), DirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string passwordFile = Path.Combine(root, "password");
        File.WriteAllText(passwordFile, password);
        var cluster = new PostgresCluster("", root, binaries, asPostgresUser);
        try
        {
            if (asPostgresUser)
            {
                Run("chown", ["-R", "postgres:", root]);
            }

            string data = Path.Combine(root, "data");
            cluster.AsServerUser(Path.Combine(binaries, "initdb"), "-D", data, "-U", "postgres", "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8", "--no-locale", "--no-sync");
            File.Delete(passwordFile);

            // A free port can be taken by someone else between choosing it and starting: try a few.
            for (int attempt = 1; ; attempt++)
            {
                int port = FreeLoopbackPort();
                try
                {
                    cluster.PgCtl(
                        data, "start", "-w", "-t", "60", "-l", Path.Combine(root, "server.log"),
                        "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=on -c max_connections=300");
                    string admin = new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1",
                        Port = port,
                        Username = "postgres",
                        Password = password,
                        Database = "postgres",
                        Pooling = false,
                    }.ConnectionString;
                    var started = new PostgresCluster(admin, root, binaries, asPostgresUser);
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => started.Dispose();
                    started.StartWatchdog();
                    return started;
                }
                catch (InvalidOperationException) when (attempt < 4)
                {
                }
            }
        }
        catch
        {
            TryDelete(root);
            throw;
        }
    }

    /// <summary>
    /// The test host may be killed before its exit handlers finish (vstest allows it only a moment): a small shell
    /// process outlives it, waits for it to end, then stops the cluster and deletes its directory.
    /// </summary>
    private void StartWatchdog()
    {
        string data = Path.Combine(_root!, "data");
        string stop = (_asPostgresUser ? "runuser -u postgres -- " : "") + $"'{Path.Combine(_binaries!, "pg_ctl")}' -D '{data}' stop -m immediate -w -t 30";
        string script =
            $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 0.5; done; " +
            $"if [ -f '{data}/postmaster.pid' ]; then {stop}; fi; rm -rf '{_root}'";
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using Process watchdog = Process.Start(start) ?? throw new InvalidOperationException("could not start the cluster's watchdog shell");
    }

    private static string FindBinaries()
    {
        const string Install = "apt-get install -y postgresql";
        string[] candidates = Directory.Exists("/usr/lib/postgresql")
            ? [.. Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out int v) ? v : 0)]
            : [];
        return candidates.Length > 0
            ? candidates[0]
            : throw new InvalidOperationException(
                $"PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. The storage tests need them: " +
                $"install them with `{Install}` (scripts/test.sh does this), or set {ExternalServerVariable} to a connection string of a server the tests may create databases on.");
    }

    /// <summary>Clusters left by test processes that were killed before they could stop them.</summary>
    private static void RemoveStaleClusters(string binaries, bool asPostgresUser)
    {
        foreach (string directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            string ownerFile = Path.Combine(directory, "owner.pid");
            if (File.Exists(ownerFile) && int.TryParse(File.ReadAllText(ownerFile), out int owner) && IsRunning(owner))
            {
                continue;
            }

            var stale = new PostgresCluster("", directory, binaries, asPostgresUser);
            if (File.Exists(Path.Combine(directory, "data", "postmaster.pid")))
            {
                try
                {
                    stale.PgCtl(Path.Combine(directory, "data"), "stop", "-m", "immediate", "-w", "-t", "30");
                }
                catch (InvalidOperationException)
                {
                    // Already stopped: the pid file was left by a crash.
                }
            }

            TryDelete(directory);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void PgCtl(string data, string action, params string[] options) =>
        AsServerUser(Path.Combine(_binaries!, "pg_ctl"), ["-D", data, action, .. options]);

    /// <summary>Runs a PostgreSQL program as the server's OS user: <c>postgres</c> when we are root, else ourselves.</summary>
    private void AsServerUser(string program, params string[] arguments)
    {
        if (_asPostgresUser)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Run(program, arguments);
        }
    }

    private static void Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} did not finish within 120 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} failed (exit {process.ExitCode}):\n{output.Result}\n{error.Result}");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A database of its own in <see cref="PostgresCluster.Instance"/> for one test class (an xunit class fixture).</summary>
public sealed class PostgresDatabase : Xunit.IAsyncLifetime
{
    /// <summary>A connection string to this class's database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await PostgresCluster.Instance.CreateDatabaseAsync("class");

    public Task DisposeAsync() => ConnectionString.Length == 0 ? Task.CompletedTask : PostgresCluster.Instance.DropDatabaseAsync(ConnectionString);
}
