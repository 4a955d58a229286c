using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Clearinghouse.Storage.Sql;

// The transparency log's bulk writes: one statement prepared on the raw handle and re-bound per row, like signals.
internal sealed partial class SqliteDialect
{
    private const string InsertLogEntrySql = "INSERT INTO log_entries (idx, body) VALUES (@idx, @body)";

    private const string InsertCommitmentSql = "INSERT INTO signal_commitments (signal_id, salt, log_index) VALUES (@signal, @salt, @index)";

    public override DbConnection Open() => OpenAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task InsertLogEntriesAsync(Session session, long firstIndex, IReadOnlyList<byte[]> bodies, CancellationToken cancellationToken)
    {
        using var insert = new SqliteStatement((SqliteConnection)session.Connection, InsertLogEntrySql);
        int idx = insert.Parameter("@idx");
        int body = insert.Parameter("@body");
        for (int i = 0; i < bodies.Count; i++)
        {
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            insert.Bind(idx, firstIndex + i);
            insert.Bind(body, bodies[i].AsSpan());
            insert.Execute();
        }

        return Task.CompletedTask;
    }

    public override Task InsertCommitmentsAsync(Session session, IReadOnlyList<long> signalIds, IReadOnlyList<byte[]> salts, IReadOnlyList<long> logIndexes, CancellationToken cancellationToken)
    {
        using var insert = new SqliteStatement((SqliteConnection)session.Connection, InsertCommitmentSql);
        int signal = insert.Parameter("@signal");
        int salt = insert.Parameter("@salt");
        int index = insert.Parameter("@index");
        for (int i = 0; i < signalIds.Count; i++)
        {
            insert.Bind(signal, signalIds[i]);
            insert.Bind(salt, salts[i].AsSpan());
            insert.Bind(index, logIndexes[i]);
            insert.Execute();
        }

        return Task.CompletedTask;
    }
}
