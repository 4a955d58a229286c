using System.Data.Common;
using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Storage.Sql.Log;

/// <summary>
/// The log's tiles in the table <c>log_tiles (level, idx) → (width, hashes)</c>. Reads open their own connection and
/// see committed tiles only; the store writes tiles inside the transaction of the entries they cover
/// (<see cref="UpsertAsync"/>), so <see cref="WriteTiles"/> (for callers outside a transaction) is one transaction of
/// its own.
/// </summary>
internal sealed class SqlTileStore(SqlDialect dialect) : ITileStore
{
    private const string Upsert =
        "INSERT INTO log_tiles (level, idx, width, hashes) VALUES (@level, @idx, @width, @hashes) "
        + "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes";

    public void ReadTiles(ReadOnlySpan<TileRead> requests, Span<Tile> results)
    {
        if (requests.IsEmpty)
        {
            return;
        }

        var sql = new StringBuilder("SELECT level, idx, width, hashes FROM log_tiles WHERE ");
        var parameters = new List<(string, object?)>(requests.Length * 2);
        for (int i = 0; i < requests.Length; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? string.Empty : " OR ").Append("(level = @l").Append(n).Append(" AND idx = @i").Append(n).Append(')');
            parameters.Add(("@l" + n, requests[i].Tile.Level));
            parameters.Add(("@i" + n, requests[i].Tile.Index));
        }

        var found = new Dictionary<TileId, Tile>(requests.Length);
        using (DbConnection connection = dialect.Open())
        using (DbCommand command = connection.CreateCommand())
        {
#pragma warning disable CA2100 // Built from constant fragments; values travel as parameters.
            command.CommandText = sql.ToString();
#pragma warning restore CA2100
            foreach ((string name, object? value) in parameters)
            {
                Session.AddParameter(command, name, value);
            }

            using DbDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = new TileId(reader.GetInt32(0), reader.GetInt64(1));
                found[id] = new Tile(id, reader.GetInt32(2), reader.GetFieldValue<byte[]>(3));
            }
        }

        for (int i = 0; i < requests.Length; i++)
        {
            TileRead request = requests[i];
            if (!found.TryGetValue(request.Tile, out Tile? tile) || tile.Width < request.MinimumWidth)
            {
                throw new TileNotFoundException(request.Tile, request.MinimumWidth, tile?.Width ?? 0);
            }

            results[i] = tile;
        }
    }

    public void WriteTiles(IReadOnlyList<Tile> tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        using DbConnection connection = dialect.Open();
        using DbTransaction transaction = connection.BeginTransaction();
        foreach (Tile tile in tiles)
        {
            using DbCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Upsert;
            AddTileParameters(command, tile);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Writes (or widens) <paramref name="tiles"/> in the session's transaction.</summary>
    public static async Task UpsertAsync(Session session, IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
    {
        foreach (Tile tile in tiles)
        {
            await using DbCommand command = session.Command(Upsert);
            AddTileParameters(command, tile);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddTileParameters(DbCommand command, Tile tile)
    {
        Session.AddParameter(command, "@level", tile.Id.Level);
        Session.AddParameter(command, "@idx", tile.Id.Index);
        Session.AddParameter(command, "@width", tile.Width);
        Session.AddParameter(command, "@hashes", tile.Rows.ToArray());
    }
}
