using System.Security.Cryptography;
using Clearinghouse.Server.Auth;
using Clearinghouse.Storage;

namespace Clearinghouse.Server;

/// <summary>What preparing a store for a node did.</summary>
/// <param name="Operator">The operator member (the centre itself).</param>
/// <param name="NewOperatorKey">The operator's admin key when it was created now (shown once), else null.</param>
public sealed record NodeSetupResult(Member Operator, IssuedApiKey? NewOperatorKey);

/// <summary>
/// First-start work for <c>clearinghouse serve</c>: migrations, the built-in taxonomy, the operator member with an
/// admin key, the node's cursor key, and (for <c>--demo</c>) a demo bank.
/// </summary>
public static class NodeSetup
{
    /// <summary>The operator member's name.</summary>
    public const string OperatorName = "operator";

    /// <summary>The file in the data directory holding the key that signs pagination cursors.</summary>
    public const string CursorKeyFile = "node-cursor.key";

    /// <summary>The demo bank <c>--demo</c> creates.</summary>
    public const string DemoBank = "demo";

    /// <summary>Migrates, loads the built-in taxonomy (a no-op when current) and makes sure the operator member exists.</summary>
    public static async Task<NodeSetupResult> PrepareAsync(IClearinghouseStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var taxonomy = TaxonomyFile.LoadDefault();
        var current = await store.GetTaxonomyAsync(cancellationToken).ConfigureAwait(false);
        if (current is null || current.Version < taxonomy.Version)
        {
            await store.ApplyTaxonomyAsync(taxonomy, cancellationToken).ConfigureAwait(false);
        }

        var existing = await store.FindMemberAsync(OperatorName, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return new NodeSetupResult(existing, null);
        }

        Member created;
        try
        {
            created = await store.CreateMemberAsync(OperatorName, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Error == StoreError.Conflict)
        {
            // Another replica created it at the same moment; its key was printed there.
            return new NodeSetupResult((await store.FindMemberAsync(OperatorName, cancellationToken).ConfigureAwait(false))!, null);
        }

        var key = await new ApiKeyIssuer(store).IssueAsync(created.Id, ApiScopes.All, "operator (created at first start)", cancellationToken).ConfigureAwait(false);
        return new NodeSetupResult(created, key);
    }

    /// <summary>
    /// The cursor key kept in <paramref name="directory"/> (32 random bytes, created on first use, readable by the
    /// owner only), so cursors survive restarts. Replicas behind one load balancer must share the file.
    /// </summary>
    public static byte[] LoadOrCreateCursorKey(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, CursorKeyFile);
        if (File.Exists(path))
        {
            byte[] existing = File.ReadAllBytes(path);
            return existing.Length >= 32 ? existing : throw new InvalidDataException($"{path} holds {existing.Length} bytes; a cursor key needs at least 32 (delete it to make a new one).");
        }

        byte[] key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(key);
            file.Flush(flushToDisk: true);
        }

        return key;
    }

    /// <summary>
    /// Creates the demo bank (attack-footage, shared with all members) holding the distinct PDQ hashes of the
    /// reference images listed in <c>pdq/expected.tsv</c> under <paramref name="testdataDirectory"/>; returns how many
    /// signals were added (0 when the bank already existed).
    /// </summary>
    public static async Task<int> SeedDemoAsync(IClearinghouseStore store, long operatorId, string testdataDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string list = Path.Combine(testdataDirectory, "pdq", "expected.tsv");
        if (!File.Exists(list))
        {
            throw new FileNotFoundException($"The demo needs the reference data: {list} is missing.", list);
        }

        if (await store.FindBankAsync(DemoBank, cancellationToken).ConfigureAwait(false) is not null)
        {
            return 0;
        }

        var hashes = File.ReadLines(list)
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length >= 2 && fields[1].Length == 64)
            .Select(fields => fields[1].ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Select(hash => new NewSignal("pdq", hash, Metadata: """{"source":"demo: reference images of ../shared/testdata/pdq"}"""))
            .ToList();
        var bank = await store.CreateBankAsync(
            new NewBank(DemoBank, "attack-footage", operatorId, SharingScope.AllMembers, Description: "Demo bank: PDQ hashes of the reference images in ../shared/testdata/pdq"),
            cancellationToken).ConfigureAwait(false);
        var results = await store.AddSignalsAsync(bank.Id, operatorId, hashes, cancellationToken).ConfigureAwait(false);
        return results.Count(r => r.Added);
    }
}
