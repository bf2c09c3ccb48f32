using System.Diagnostics;
using AsyncServer.Bench.Harness;
using AsyncServer.Configuration;
using AsyncServer.Data;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Bench.Data;

internal sealed class SqliteBackend : HqBackend
{
    public override string Provider => "sqlite";

    public override Task<HqDataset> EnsureProductsAsync(BenchContext context, long rows, int changes)
    {
        var name = $"sqlite-products-{rows}-{changes}";
        var folder = context.DataFolder(name);
        var file = Path.Combine(folder, "hq.db");
        return CachedAsync(folder, new HqDataset(name, file, rows, changes, 0), async () =>
        {
            var baseline = await SqliteHq.CreateAsync(file, rows);
            if (changes > 0) SqliteHq.ApplyChanges(file, ChangePlan.For(rows, changes));
            return new HqDataset(name, file, rows, changes, baseline);
        });
    }

    public override Task<HqDataset> EnsureFanOutAsync(BenchContext context, int tables, long rowsPerTable, int dataAreas)
    {
        var name = $"sqlite-fanout-{tables}x{rowsPerTable}-{dataAreas}";
        var folder = context.DataFolder(name);
        var file = Path.Combine(folder, "hq.db");
        return CachedAsync(folder, new HqDataset(name, file, rowsPerTable, 0, 0, tables), async () =>
        {
            var names = Enumerable.Range(1, tables).Select(FanOutTable).ToList();
            var baseline = await SqliteHq.CreateAsync(file, rowsPerTable, names, n => $"d{1 + n % dataAreas}");
            return new HqDataset(name, file, rowsPerTable, 0, baseline, tables);
        });
    }

    public static string FanOutTable(int i) => $"FANOUT{i}";

    public override Task<HqDataset> EnsureParentAsync(BenchContext context, long rows, int changes) => SqliteParentHq.EnsureAsync(context, rows, changes);

    public override Task<Measurement> FloorParentIncrementalReadAsync(HqDataset dataset, string outputFile)
        => ReadThroughCompressor(dataset.Location, SqliteParentHq.FloorSql(dataset), ("@da", ProductRows.DataArea), outputFile);

    internal static Task<HqDataset> Cached(string folder, HqDataset wanted, Func<Task<HqDataset>> build) => CachedAsync(folder, wanted, build);

    public override ConnectionSettings HqConnection(HqDataset dataset) => new() { Provider = "sqlite", ConnectionString = $"Data Source={dataset.Location}" };

    public override Task<ConnectionSettings> NewMessageDatabaseAsync(string runFolder)
        => Task.FromResult(new ConnectionSettings { Provider = "sqlite", ConnectionString = $"Data Source={Path.Combine(runFolder, "message.db")}" });

    public override Task<Measurement> FloorFullReadAsync(HqDataset dataset, string outputFile)
        => ReadThroughCompressor(dataset.Location,
            $"SELECT {string.Join(", ", ProductRows.Columns.Select(c => "t." + c.Name))} FROM {ProductRows.Table} AS t WHERE t.DATAAREAID = @da",
            ("@da", ProductRows.DataArea), outputFile);

    public override Task<Measurement> FloorIncrementalReadAsync(HqDataset dataset, string outputFile)
    {
        // The same join the change source runs: changed keys in the version range, left-joined to their rows.
        var cols = string.Join(", ", ProductRows.Columns.Select(c => (c.Name == "RECID" ? "ct." : "t.") + c.Name));
        var sql = $"SELECT CASE WHEN t.RECID IS NOT NULL AND t.DATAAREAID = @da THEN 1 ELSE 0 END, {cols} " +
                  $"FROM \"__async_ct_{ProductRows.Table}\" AS ct LEFT JOIN {ProductRows.Table} AS t ON t.RECID = ct.RECID " +
                  $"WHERE ct.\"__version\" > {dataset.BaselineVersion} AND ct.\"__version\" <= (SELECT version FROM \"__async_ct_version\" WHERE id = 1)";
        return ReadThroughCompressor(dataset.Location, sql, ("@da", ProductRows.DataArea), outputFile);
    }

    private static Task<Measurement> ReadThroughCompressor(string file, string sql, (string Name, object Value) parameter, string outputFile)
    {
        var watch = BenchWatch.StartNew();
        using var conn = SqliteHq.Open(file);
        using var tx = conn.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: true);
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue(parameter.Name, parameter.Value);
        using var sink = new CompressedSink(outputFile);
        using (var reader = cmd.ExecuteReader(System.Data.CommandBehavior.SequentialAccess))
        {
            var count = reader.FieldCount;
            while (reader.Read())
                for (var i = 0; i < count; i++)
                    sink.Field(reader.IsDBNull(i) ? null : reader.GetString(i), i == count - 1);
        }
        var bytes = sink.Complete();
        watch.Stop();
        return Task.FromResult(Measurement.Capture(watch, sink.Rows, bytes));
    }

    public override Task<Measurement> FloorRegisterAsync(ConnectionSettings messageDatabase, int sessions, IReadOnlyList<string> channelDatabases)
    {
        var file = new SqliteConnectionStringBuilder(messageDatabase.ConnectionString).DataSource;
        var watch = BenchWatch.StartNew();
        using var conn = SqliteHq.Open(file);
        using var tx = conn.BeginTransaction();
        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fffffff");
        using var session = Prepared(conn, tx, "INSERT INTO download_sessions (partition, job_id, data_group, kind, to_version, status, instance_id, created_at, finished_at, row_count, package_file) " +
                                               "VALUES ('p', @j, @g, 'Full', 1, 'Available', 'bench', @now, @now, 200, 'x.zip') RETURNING id", "@j", "@g", "@now");
        using var target = Prepared(conn, tx, "INSERT INTO session_targets (session_id, channel_database, status, tries, updated_at) VALUES (@s, @c, 'Available', 0, @now)", "@s", "@c", "@now");
        using var message = Prepared(conn, tx, "INSERT INTO status_messages (session_id, channel_database, status, created_at) VALUES (@s, @c, 'Available', @now)", "@s", "@c", "@now");
        long rows = 0;
        for (var s = 0; s < sessions; s++)
        {
            session.Parameters[0].Value = $"job{s}"; session.Parameters[1].Value = "g"; session.Parameters[2].Value = now;
            var id = Convert.ToInt64(session.ExecuteScalar());
            message.Parameters[0].Value = id; message.Parameters[1].Value = DBNull.Value; message.Parameters[2].Value = now;
            message.ExecuteNonQuery();
            foreach (var db in channelDatabases)
            {
                target.Parameters[0].Value = id; target.Parameters[1].Value = db; target.Parameters[2].Value = now;
                target.ExecuteNonQuery();
                message.Parameters[0].Value = id; message.Parameters[1].Value = db;
                message.ExecuteNonQuery();
                rows++;
            }
        }
        tx.Commit();
        watch.Stop();
        return Task.FromResult(Measurement.Capture(watch, rows, 0, $"{sessions} sessions, {rows} targets"));
    }

    private static SqliteCommand Prepared(SqliteConnection conn, SqliteTransaction tx, string sql, params string[] names)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var n in names) cmd.Parameters.Add(new SqliteParameter(n, null));
        cmd.Prepare();
        return cmd;
    }
}
