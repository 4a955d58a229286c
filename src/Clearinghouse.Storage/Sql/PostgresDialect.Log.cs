using System.Data.Common;
using Npgsql;

namespace Clearinghouse.Storage.Sql;

// The transparency log's bulk writes: whole columns as arrays, one unnest statement per chunk.
internal sealed partial class PostgresDialect
{
    private const string InsertLogEntriesSql =
        "INSERT INTO log_entries (idx, body) SELECT @first + u.ord - 1, u.body FROM unnest(@bodies) WITH ORDINALITY AS u (body, ord)";

    private const string InsertCommitmentsSql =
        "INSERT INTO signal_commitments (signal_id, salt, log_index) SELECT * FROM unnest(@signals, @salts, @indexes)";

    public override DbConnection Open() => _source.OpenConnection();

    public override async Task InsertLogEntriesAsync(Session session, long firstIndex, IReadOnlyList<byte[]> bodies, CancellationToken cancellationToken)
    {
        for (int start = 0; start < bodies.Count; start += Chunk)
        {
            int length = Math.Min(Chunk, bodies.Count - start);
            var chunk = new byte[length][];
            for (int i = 0; i < length; i++)
            {
                chunk[i] = bodies[start + i];
            }

            await using var command = (NpgsqlCommand)session.Command(InsertLogEntriesSql);
            command.Parameters.Add(new NpgsqlParameter<long>("first", firstIndex + start));
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("bodies", chunk));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task InsertCommitmentsAsync(Session session, IReadOnlyList<long> signalIds, IReadOnlyList<byte[]> salts, IReadOnlyList<long> logIndexes, CancellationToken cancellationToken)
    {
        for (int start = 0; start < signalIds.Count; start += Chunk)
        {
            int length = Math.Min(Chunk, signalIds.Count - start);
            var signals = new long[length];
            var saltChunk = new byte[length][];
            var indexes = new long[length];
            for (int i = 0; i < length; i++)
            {
                (signals[i], saltChunk[i], indexes[i]) = (signalIds[start + i], salts[start + i], logIndexes[start + i]);
            }

            await using var command = (NpgsqlCommand)session.Command(InsertCommitmentsSql);
            command.Parameters.Add(new NpgsqlParameter<long[]>("signals", signals));
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("salts", saltChunk));
            command.Parameters.Add(new NpgsqlParameter<long[]>("indexes", indexes));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
