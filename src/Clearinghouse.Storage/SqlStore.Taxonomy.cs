using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// The taxonomy: versions applied in order, the current one's categories in their own table.
public abstract partial class SqlStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Refuses (<see cref="StoreError.Conflict"/>) an older version, the current version with different content,
    /// and a new version that drops a category a live bank still uses.
    /// </remarks>
    public Task ApplyTaxonomyAsync(Taxonomy taxonomy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taxonomy);
        string? error = TaxonomyRules.Validate(taxonomy);
        if (error is not null)
        {
            throw Invalid("taxonomy: " + error);
        }

        string document = TaxonomyFile.ToJson(taxonomy);

        // Under the change lock: bank creation checks categories under it too, so a category cannot disappear
        // between that check and the bank's insert.
        return WriteAsync(WriteLock.Changes, async session =>
        {
            (int Version, string Document)? current = (await session.QueryAsync(
                "SELECT version, document FROM taxonomy_versions ORDER BY version DESC LIMIT 1",
                r => (r.GetInt32(0), r.GetString(1)),
                cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            if (current is { } applied)
            {
                if (applied.Version == taxonomy.Version)
                {
                    return applied.Document == document
                        ? false
                        : throw Conflict($"taxonomy version {taxonomy.Version} is already applied with different content; publish changes as a new version");
                }

                if (applied.Version > taxonomy.Version)
                {
                    throw Conflict($"taxonomy version {taxonomy.Version} is older than the current version {applied.Version}");
                }
            }

            var kept = new HashSet<string>(taxonomy.Categories.Select(c => c.Id), StringComparer.Ordinal);
            List<string> used = await session.QueryAsync(
                "SELECT DISTINCT category FROM banks WHERE deleted = FALSE ORDER BY category", r => r.GetString(0), cancellationToken).ConfigureAwait(false);
            string[] dropped = [.. used.Where(c => !kept.Contains(c))];
            if (dropped.Length > 0)
            {
                throw Conflict($"taxonomy version {taxonomy.Version} drops categories that live banks still use: {string.Join(", ", dropped)}");
            }

            await session.ExecuteAsync("DELETE FROM categories", cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < taxonomy.Categories.Count; i++)
            {
                Category category = taxonomy.Categories[i];
                await session.ExecuteAsync(
                    "INSERT INTO categories (id, title, description, requires_designation, ordinal) VALUES (@id, @title, @description, @requires, @ordinal)",
                    cancellationToken,
                    ("@id", category.Id),
                    ("@title", category.Title),
                    ("@description", category.Description),
                    ("@requires", category.RequiresDesignation),
                    ("@ordinal", i)).ConfigureAwait(false);
            }

            await session.ExecuteAsync(
                "INSERT INTO taxonomy_versions (version, document, applied_us) VALUES (@version, @document, @at)",
                cancellationToken,
                ("@version", taxonomy.Version),
                ("@document", document),
                ("@at", session.NowMicros)).ConfigureAwait(false);
            session.Log.Add(index => new TaxonomyChanged(
                index,
                EntryTime(session),
                taxonomy.Version.ToString(CultureInfo.InvariantCulture),
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document))),
                TaxonomySummary(taxonomy)));
            return true;
        }, cancellationToken);
    }

    /// <summary>The log's summary of a taxonomy version: its number and category ids (the digest pins the full text).</summary>
    private static string TaxonomySummary(Taxonomy taxonomy)
    {
        string summary = string.Create(CultureInfo.InvariantCulture, $"version {taxonomy.Version}: {string.Join(", ", taxonomy.Categories.Select(c => c.Id))}");
        return summary.Length <= 4096 ? summary : summary[..4093] + "...";
    }

    public Task<Taxonomy?> GetTaxonomyAsync(CancellationToken cancellationToken = default) =>
        ReadSnapshotAsync(async session =>
        {
            int version = await session.ScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM taxonomy_versions", cancellationToken).ConfigureAwait(false);
            if (version == 0)
            {
                return null;
            }

            List<Category> categories = await session.QueryAsync(
                "SELECT id, title, description, requires_designation FROM categories ORDER BY ordinal",
                r => new Category(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3)),
                cancellationToken).ConfigureAwait(false);
            return new Taxonomy(version, categories);
        }, cancellationToken);

    /// <summary>The category's designation rule, or <see cref="StoreError.UnknownCategory"/> when the current taxonomy lacks it.</summary>
    private static async Task<bool> RequiresDesignationAsync(Session session, string category, CancellationToken cancellationToken)
    {
        List<bool> rule = await session.QueryAsync(
            "SELECT requires_designation FROM categories WHERE id = @id", r => r.GetBoolean(0), cancellationToken, ("@id", category)).ConfigureAwait(false);
        if (rule.Count == 1)
        {
            return rule[0];
        }

        List<string> known = await session.QueryAsync("SELECT id FROM categories ORDER BY ordinal", r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        throw new StoreException(
            StoreError.UnknownCategory,
            known.Count == 0
                ? $"unknown category \"{category}\": no taxonomy has been applied"
                : $"unknown category \"{category}\"; the taxonomy has: {string.Join(", ", known)}");
    }
}
