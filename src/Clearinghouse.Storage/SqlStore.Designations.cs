using System.Data.Common;
using System.Globalization;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Designation lists: full copies replace the stored list; entries are delisted, never deleted.
public abstract partial class SqlStore
{
    private const string DesignationColumns = "id, list, reference, kind, listed_on, name, first_seen_us, last_seen_us, delisted_us";

    /// <inheritdoc />
    /// <remarks>
    /// Throws <see cref="StoreError.Invalid"/>, writing nothing, for a list name that is not 1–32 lower-case letters,
    /// digits, '-' or '_'; a reference that is empty, longer than 200 characters or holds white space; a reference
    /// given twice; an individual with a name; an entity name longer than 1,000 characters.
    /// </remarks>
    public Task<DesignationImportResult> ReplaceDesignationListAsync(string list, IReadOnlyList<NewDesignation> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        RequireListName(list);
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            NewDesignation entry = entries[i] ?? throw Invalid($"entries[{i}] is null");
            RequireReference(entry.Reference, $"entries[{i}]");
            if (!given.Add(entry.Reference))
            {
                throw Invalid($"entries[{i}]: reference {entry.Reference} is given twice");
            }

            if (entry.Kind == DesignationKind.Individual && entry.Name is not null)
            {
                throw Invalid($"entries[{i}] ({entry.Reference}): an individual is stored without a name");
            }

            if (entry.Name is { Length: > 1000 })
            {
                throw Invalid($"entries[{i}] ({entry.Reference}): the name is longer than 1,000 characters");
            }
        }

        // Under the change lock: one import of a list at a time, so two cannot interleave their delistings.
        return WriteAsync(WriteLock.Changes, async session =>
        {
            Dictionary<string, Designation> stored = (await session.QueryAsync(
                $"SELECT {DesignationColumns} FROM designations WHERE list = @list", ReadDesignation, cancellationToken, ("@list", list)).ConfigureAwait(false))
                .ToDictionary(d => d.Reference, StringComparer.Ordinal);
            int added = 0, updated = 0, unchanged = 0, delisted = 0, relisted = 0;
            foreach (NewDesignation entry in entries)
            {
                string? listedOn = entry.ListedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (!stored.TryGetValue(entry.Reference, out Designation? before))
                {
                    await session.ExecuteAsync(
                        "INSERT INTO designations (list, reference, kind, listed_on, name, first_seen_us, last_seen_us, delisted_us) " +
                        "VALUES (@list, @reference, @kind, @listed, @name, @now, @now, NULL)",
                        cancellationToken,
                        ("@list", list),
                        ("@reference", entry.Reference),
                        ("@kind", (int)entry.Kind),
                        ("@listed", listedOn),
                        ("@name", entry.Name),
                        ("@now", session.NowMicros)).ConfigureAwait(false);
                    added++;
                    continue;
                }

                bool same = before.Kind == entry.Kind && before.ListedOn == entry.ListedOn && before.Name == entry.Name && before.Listed;
                if (same)
                {
                    unchanged++;
                }
                else
                {
                    updated++;
                    relisted += before.Listed ? 0 : 1;
                }

                await session.ExecuteAsync(
                    "UPDATE designations SET kind = @kind, listed_on = @listed, name = @name, last_seen_us = @now, delisted_us = NULL WHERE id = @id",
                    cancellationToken,
                    ("@kind", (int)entry.Kind),
                    ("@listed", listedOn),
                    ("@name", entry.Name),
                    ("@now", session.NowMicros),
                    ("@id", before.Id)).ConfigureAwait(false);
            }

            foreach (Designation gone in stored.Values)
            {
                if (gone.Listed && !given.Contains(gone.Reference))
                {
                    await session.ExecuteAsync(
                        "UPDATE designations SET delisted_us = @now WHERE id = @id", cancellationToken, ("@now", session.NowMicros), ("@id", gone.Id)).ConfigureAwait(false);
                    delisted++;
                }
            }

            return new DesignationImportResult(list, entries.Count, added, updated, unchanged, delisted, relisted);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Designation>> GetDesignationsAsync(IReadOnlyCollection<string> references, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(references);
        var wanted = new List<(string List, string Reference)>();
        foreach (string key in references.Distinct(StringComparer.Ordinal))
        {
            int colon = key.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && colon < key.Length - 1)
            {
                wanted.Add((key[..colon], key[(colon + 1)..]));
            }
        }

        return ReadSnapshotAsync<IReadOnlyList<Designation>>(async session =>
        {
            var found = new List<Designation>(wanted.Count);
            foreach ((string list, string reference) in wanted)
            {
                if (await session.QuerySingleAsync(
                    $"SELECT {DesignationColumns} FROM designations WHERE list = @list AND reference = @reference",
                    ReadDesignation,
                    cancellationToken,
                    ("@list", list),
                    ("@reference", reference)).ConfigureAwait(false) is { } designation)
                {
                    found.Add(designation);
                }
            }

            return found;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<DesignationListSummary>> ListDesignationListsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<DesignationListSummary>>(
            async session => await session.QueryAsync(
                "SELECT list, SUM(CASE WHEN delisted_us IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN delisted_us IS NULL THEN 0 ELSE 1 END), " +
                "MAX(CASE WHEN delisted_us IS NULL THEN last_seen_us ELSE delisted_us END) FROM designations GROUP BY list ORDER BY list",
                r => new DesignationListSummary(
                    r.GetString(0),
                    Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture),
                    Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture),
                    Micros.ToTime(r.GetInt64(3))),
                cancellationToken).ConfigureAwait(false),
            cancellationToken);

    public Task<Page<Designation>> ListDesignationsAsync(string list, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return ReadAsync(async session => ToPage(
            await session.QueryAsync(
                $"SELECT {DesignationColumns} FROM designations WHERE list = @list AND id > @after ORDER BY id LIMIT @limit",
                ReadDesignation,
                cancellationToken,
                ("@list", list),
                ("@after", afterId),
                ("@limit", (long)limit + 1)).ConfigureAwait(false),
            limit,
            d => d.Id), cancellationToken);
    }

    private static Designation ReadDesignation(DbDataReader r) =>
        new(
            r.GetInt64(0),
            r.GetString(1),
            r.GetString(2),
            (DesignationKind)r.GetInt32(3),
            r.IsDBNull(4) ? null : DateOnly.ParseExact(r.GetString(4), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            r.IsDBNull(5) ? null : r.GetString(5),
            Micros.ToTime(r.GetInt64(6)),
            Micros.ToTime(r.GetInt64(7)),
            r.IsDBNull(8) ? null : Micros.ToTime(r.GetInt64(8)));

    private static void RequireListName(string? list)
    {
        if (string.IsNullOrEmpty(list) || list.Length > 32 || !list.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
        {
            throw Invalid($"designation list name \"{list}\" is not 1 to 32 lower-case letters, digits, '-' or '_'");
        }
    }

    private static void RequireReference(string? reference, string where)
    {
        if (string.IsNullOrEmpty(reference) || reference.Length > 200 || reference.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw Invalid($"{where}: reference \"{reference}\" is not 1 to 200 characters without white space");
        }
    }
}
