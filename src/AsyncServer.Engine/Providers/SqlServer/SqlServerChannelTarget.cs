using System.Data;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// A channel database on SQL Server. A package is applied in one transaction: tables to empty are emptied, then each
/// package table is bulk-copied (SqlBulkCopy, in bounded batches) into a temp table and applied by key: deletes,
/// updates, inserts. Any failure rolls the whole package back. Re-applying a package changes nothing, because every
/// row is applied by key to the values it carries.
/// </summary>
public sealed class SqlServerChannelTarget : IChannelTarget
{
    /// <summary>Rows held in memory per bulk-copy batch.</summary>
    internal const int BatchRows = 5_000;

    private readonly ResolvedConnection _connection;

    public SqlServerChannelTarget(ResolvedConnection connection) => _connection = connection;

    public DatabaseProvider Provider => DatabaseProvider.SqlServer;

    public async Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var conn = await SqlServerConnections.OpenAsync(_connection, cancellationToken).ConfigureAwait(false);
        return (await SqlServerCatalog.DescribeAsync(conn, table, cancellationToken).ConfigureAwait(false))?.Schema;
    }

    public async Task<ApplyResult> ApplyAsync(PackageReader package, CancellationToken cancellationToken)
    {
        var manifest = package.Manifest;
        await using var conn = await SqlServerConnections.OpenAsync(_connection, cancellationToken).ConfigureAwait(false);
        await using var tx = (SqlTransaction)await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        long upserted = 0, deleted = 0;
        try
        {
            foreach (var name in manifest.DeleteExistingTables.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var table = await RequireTableAsync(conn, tx, name, manifest.SessionId, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(conn, tx, SqlServerChannelSql.DeleteAll(table.Schema), cancellationToken).ConfigureAwait(false);
            }
            foreach (var packageTable in manifest.Tables)
            {
                var (u, d) = await ApplyTableAsync(conn, tx, package, packageTable, cancellationToken).ConfigureAwait(false);
                upserted += u;
                deleted += d;
            }
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SqlException or PackageFormatException or InvalidOperationException or InvalidCastException or FormatException)
        {
            throw new AsyncServerException(ex is PackageFormatException ? ErrorIds.PackageInvalid : ErrorIds.ApplyFailed, ErrorKind.WriteError,
                $"Session {manifest.SessionId} was not applied to channel database {_connection.Display} (nothing was changed): {ex.Message}", manifest.SessionId, ex);
        }
        return new ApplyResult(manifest.SessionId, upserted, deleted, manifest.Tables.Select(t => t.ChannelTable).ToList());
    }

    private async Task<SqlServerTable> RequireTableAsync(SqlConnection conn, SqlTransaction tx, string name, long sessionId, CancellationToken ct)
        => await SqlServerCatalog.DescribeAsync(conn, name, ct, tx).ConfigureAwait(false)
           ?? throw new AsyncServerException(ErrorIds.TableNotFound, ErrorKind.ObjectNotFound,
               $"Session {sessionId} was not applied: channel table '{name}' does not exist in {_connection.Display} (nothing was changed).", name);

    /// <summary>Checks the package table against the channel catalog; every problem is named before anything is written.</summary>
    internal static ChannelApplyPlan Plan(SqlServerTable channel, PackageTable table, long sessionId)
    {
        var columns = new List<string>();
        var problems = new List<string>();
        foreach (var column in table.Columns)
        {
            var found = channel.Schema.Find(column.Name);
            if (found is null) problems.Add($"column '{column.Name}' does not exist");
            else if (channel.ComputedColumns.Contains(found.Name)) problems.Add($"column '{found.Name}' is computed and cannot be written");
            else columns.Add(found.Name);
        }
        if (problems.Count > 0)
            throw new AsyncServerException(ErrorIds.ApplyFailed, ErrorKind.InvalidData,
                $"Session {sessionId} was not applied: channel table {channel.Schema.DisplayName} does not match package table {table.Subjob}: {string.Join("; ", problems)} (nothing was changed).",
                channel.Schema.DisplayName);
        var keys = table.KeyColumns.Select(k => channel.Schema.Find(k)!.Name).ToList();
        return new ChannelApplyPlan(channel.Schema, columns, keys, columns.Any(channel.IdentityColumns.Contains));
    }

    private async Task<(long Upserted, long Deleted)> ApplyTableAsync(SqlConnection conn, SqlTransaction tx, PackageReader package, PackageTable table, CancellationToken ct)
    {
        var channel = await RequireTableAsync(conn, tx, table.ChannelTable, package.Manifest.SessionId, ct).ConfigureAwait(false);
        var plan = Plan(channel, table, package.Manifest.SessionId);
        await ExecuteAsync(conn, tx, SqlServerChannelSql.CreateStage(plan), ct).ConfigureAwait(false);

        var rows = new DataTable();
        foreach (var column in table.Columns) rows.Columns.Add(new DataColumn { DataType = SqlServerTypes.ClrType(column.Type), AllowDBNull = true });
        rows.Columns.Add(new DataColumn { DataType = typeof(bool) });
        rows.Columns.Add(new DataColumn { DataType = typeof(long) });
        using var bulk = new SqlBulkCopy(conn, SqlBulkCopyOptions.Default, tx) { DestinationTableName = SqlServerChannelSql.StageTable, BulkCopyTimeout = 0 };
        // By ordinal: the staging table has the plan's columns in package order, then the flag and the sequence.
        for (var i = 0; i < rows.Columns.Count; i++) bulk.ColumnMappings.Add(i, i);

        long upserted = 0, deleted = 0, sequence = 0;
        await foreach (var row in package.ReadRowsAsync(table, ct).ConfigureAwait(false))
        {
            var values = new object?[rows.Columns.Count];
            for (var i = 0; i < row.Values.Length; i++) values[i] = row.Values[i] ?? DBNull.Value;
            values[^2] = row.Upsert;
            values[^1] = ++sequence;
            rows.Rows.Add(values);
            if (row.Upsert) upserted++; else deleted++;
            if (rows.Rows.Count >= BatchRows)
            {
                await bulk.WriteToServerAsync(rows, ct).ConfigureAwait(false);
                rows.Clear();
            }
        }
        if (rows.Rows.Count > 0) await bulk.WriteToServerAsync(rows, ct).ConfigureAwait(false);

        await ExecuteAsync(conn, tx, SqlServerChannelSql.DeduplicateStage(plan), ct).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, SqlServerChannelSql.ApplyDeletes(plan), ct).ConfigureAwait(false);
        if (SqlServerChannelSql.ApplyUpdates(plan) is { } update) await ExecuteAsync(conn, tx, update, ct).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, SqlServerChannelSql.ApplyInserts(plan), ct).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, SqlServerChannelSql.DropStage, ct).ConfigureAwait(false);
        return (upserted, deleted);
    }

    private static async Task ExecuteAsync(SqlConnection conn, SqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = SqlServerConnections.Command(conn, sql, tx);
        cmd.CommandTimeout = 0; // a large package takes as long as it takes; the client's token cancels it
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
