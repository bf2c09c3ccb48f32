using System.Data;
using System.Data.Common;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// A channel database on SQL Server. A package is applied in one transaction: missing channel tables are created from
/// the manifest and every table is checked against it, tables to empty are emptied, then each
/// package table is bulk-copied (SqlBulkCopy, in bounded batches) into a temp table and applied by key: deletes,
/// updates, inserts. Any failure rolls the whole package back. Re-applying a package changes nothing, because every
/// row is applied by key to the values it carries.
/// </summary>
internal sealed class SqlServerChannelTarget(ResolvedConnection connection) : SqlChannelTarget<ChannelApplyPlan>(connection)
{
    /// <summary>Rows held in memory per bulk-copy batch.</summary>
    internal const int BatchRows = 5_000;

    public override DatabaseProvider Provider => DatabaseProvider.SqlServer;

    protected override async Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken)
        => await SqlServerConnections.OpenAsync(Connection, cancellationToken).ConfigureAwait(false);

    protected override async Task<TableSchema?> DescribeAsync(DbConnection conn, DbTransaction? tx, string table, CancellationToken cancellationToken)
        => (await SqlServerCatalog.DescribeAsync((SqlConnection)conn, table, cancellationToken, (SqlTransaction?)tx).ConfigureAwait(false))?.Schema;

    protected override async Task<DbTransaction> BeginAsync(DbConnection conn, CancellationToken cancellationToken)
        => await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    /// <summary>SqlClient's own errors, and the conversions SqlBulkCopy rejects a value with.</summary>
    protected override bool IsDatabaseError(Exception exception)
        => exception is SqlException or InvalidOperationException or InvalidCastException or FormatException;

    protected override string NameOf(ChannelApplyPlan plan) => plan.Table.DisplayName;

    /// <summary>The channel table of a package table; created from the manifest (columns, types, key) when it does not exist.</summary>
    protected override async Task<ChannelApplyPlan> PrepareAsync(ApplyStep step, PackageTable table)
    {
        var (conn, tx, ct) = ((SqlConnection)step.Connection, (SqlTransaction)step.Transaction, step.CancellationToken);
        var channel = await SqlServerCatalog.DescribeAsync(conn, table.ChannelTable, ct, tx).ConfigureAwait(false);
        if (channel is null)
        {
            await ExecuteAsync(conn, tx, SqlServerChannelSql.CreateTable(QualifiedName.Parse(table.ChannelTable), table), ct).ConfigureAwait(false);
            channel = (await SqlServerCatalog.DescribeAsync(conn, table.ChannelTable, ct, tx).ConfigureAwait(false))!;
        }
        return Plan(channel, table, step.Package.Manifest.SessionId);
    }

    protected override async Task<string?> EmptyAsync(ApplyStep step, string table)
    {
        var (conn, tx, ct) = ((SqlConnection)step.Connection, (SqlTransaction)step.Transaction, step.CancellationToken);
        var existing = await SqlServerCatalog.DescribeAsync(conn, table, ct, tx).ConfigureAwait(false);
        if (existing is null) return null; // nothing to empty
        await ExecuteAsync(conn, tx, SqlServerChannelSql.DeleteAll(existing.Schema), ct).ConfigureAwait(false);
        return existing.Schema.DisplayName;
    }

    protected override Task<(long Upserted, long Deleted)> ApplyTableAsync(ApplyStep step, PackageTable table, ChannelApplyPlan plan, int index)
        => ApplyTableAsync((SqlConnection)step.Connection, (SqlTransaction)step.Transaction, step.Package, table, plan, step.CancellationToken);

    /// <summary>Checks the package table against the channel catalog; every problem is named before anything is written.</summary>
    internal static ChannelApplyPlan Plan(SqlServerTable channel, PackageTable table, long sessionId)
    {
        var columns = new List<string>();
        var missing = new List<string>();
        var computed = new List<string>();
        foreach (var column in table.Columns)
        {
            var found = channel.Schema.Find(column.Name);
            if (found is null) missing.Add(column.Name);
            else if (channel.ComputedColumns.Contains(found.Name)) computed.Add(found.Name);
            else columns.Add(found.Name);
        }
        if (missing.Count > 0 || computed.Count > 0)
            throw new AsyncServerException(ErrorIds.ChannelTableMismatch, ErrorKind.InvalidData,
                $"Channel table {channel.Schema.DisplayName} " +
                string.Join(" and ", new[]
                {
                    missing.Count > 0 ? $"lacks column(s) {string.Join(", ", missing)}" : null,
                    computed.Count > 0 ? $"has computed column(s) {string.Join(", ", computed)}, which cannot be written," : null,
                }.Where(x => x is not null)) +
                $" that the package of session {sessionId} carries (subjob {table.Subjob}); " +
                "add them to the channel table or change the subjob's field map. Nothing was applied.",
                channel.Schema.DisplayName);
        var keys = table.KeyColumns.Select(k => channel.Schema.Find(k)!.Name).ToList();
        return new ChannelApplyPlan(channel.Schema, columns, keys, columns.Any(channel.IdentityColumns.Contains));
    }

    private static async Task<(long Upserted, long Deleted)> ApplyTableAsync(SqlConnection conn, SqlTransaction tx, PackageReader package, PackageTable table,
        ChannelApplyPlan plan, CancellationToken ct)
    {
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

}
