using System.Data;
using System.Data.Common;
using System.Globalization;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// The HQ database on SQL Server's native change tracking (what AX 2012's own Async Server reads). Each snapshot
/// is one SNAPSHOT-isolation transaction: CHANGE_TRACKING_CURRENT_VERSION(), every table's minimum valid version
/// and every CHANGETABLE read see the same committed state, so a change committed later always gets a higher
/// version and is delivered by a later run (architecture rule 2). All SQL comes from <see cref="SqlServerSql"/>.
/// </summary>
public sealed class SqlServerChangeSource : IChangeSource
{
    private readonly ResolvedConnection _connection;

    public SqlServerChangeSource(ResolvedConnection connection) => _connection = connection;

    public DatabaseProvider Provider => DatabaseProvider.SqlServer;
    public SqlDialect Dialect => SqlDialect.SqlServer;

    private Task<SqlConnection> OpenAsync(CancellationToken ct) => SqlServerConnections.OpenAsync(_connection, ct);

    public async Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await SqlServerCatalog.DescribeAsync(conn, table, cancellationToken).ConfigureAwait(false))?.Schema;
    }

    public async Task<IReadOnlyList<IReadOnlyList<string>>> GetIndexesAsync(TableSchema table, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = SqlServerConnections.Command(conn, SqlServerSql.IndexColumns, null, ("@schema", table.Schema), ("@name", table.Name));
        var byIndex = new Dictionary<int, List<string>>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!byIndex.TryGetValue(reader.GetInt32(0), out var columns)) byIndex[reader.GetInt32(0)] = columns = [];
            columns.Add(reader.GetString(1));
        }
        return byIndex.Values.ToList<IReadOnlyList<string>>();
    }

    private async Task<TableSchema> RequireTableAsync(SqlConnection conn, string table, CancellationToken ct)
        => (await SqlServerCatalog.DescribeAsync(conn, table, ct).ConfigureAwait(false))?.Schema
           ?? throw new AsyncServerException(ErrorIds.TableNotFound, ErrorKind.ObjectNotFound,
               $"HQ table '{table}' does not exist in {_connection.Display}.", table);

    /// <summary>
    /// Turns change tracking on for the database (or updates its retention when it is on) and then for each table.
    /// ALTER DATABASE cannot run in a transaction; the table statements are idempotent, so a failure part way
    /// leaves nothing that a second run does not complete.
    /// </summary>
    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> EnableChangeTrackingAsync(
        IReadOnlyList<string> tables, ChangeTrackingOptions options, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var schemas = new List<TableSchema>();
        foreach (var table in tables.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var schema = await RequireTableAsync(conn, table, cancellationToken).ConfigureAwait(false);
            if (schema.PrimaryKey.Count == 0)
                throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidData,
                    $"HQ table '{schema.DisplayName}' has no primary key; SQL Server change tracking needs one (and deletes are delivered by key).", table);
            schemas.Add(schema);
        }
        var state = await ReadDatabaseStateAsync(conn, null, cancellationToken).ConfigureAwait(false);
        var (value, unit) = SqlServerSql.Retention(options.Retention);
        await RunAsync(() => SqlServerConnections.ExecuteAsync(
                conn, SqlServerSql.SetDatabaseChangeTracking(state.ChangeTrackingOn, unit), cancellationToken, null, ("@retention", value)),
            $"turn on change tracking for database {state.Name}").ConfigureAwait(false);
        foreach (var schema in schemas)
        {
            await RunAsync(() => SqlServerConnections.ExecuteAsync(
                    conn, SqlServerSql.EnableTableChangeTracking(schema), cancellationToken, null, ("@table", SqlServerSql.Table(schema))),
                $"turn on change tracking for table {schema.DisplayName}").ConfigureAwait(false);
            if (options.BeforeImagesOf(schema.Name) is not { Count: > 0 } before) continue;
            var started = false;
            await RunAsync(async () =>
                {
                    started = await SqlServerBeforeImages.EnableAsync(conn, schema, before, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                $"create the before-image log and trigger of {schema.DisplayName}").ConfigureAwait(false);
            // Changes from before the log began have no before-images: the table's history is dropped, so its minimum
            // valid version moves to now and runs across the gap become full syncs (as for a newly tracked table).
            if (started)
                await RunAsync(() => SqlServerConnections.ExecuteAsync(conn, SqlServerSql.ResetTableChangeTracking(schema), cancellationToken),
                    $"restart the change history of {schema.DisplayName}").ConfigureAwait(false);
        }
        return await StateAsync(conn, schemas, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(Func<Task<int>> action, string what)
    {
        try { await action().ConfigureAwait(false); }
        catch (SqlException ex) when (ex.Number is 229 or 300 or 1088 or 5011 or 262 or 15247 or 4606)
        {
            throw new AsyncServerException(ErrorIds.PermissionDenied, ErrorKind.PermissionDenied,
                $"Cannot {what} in {_connection.Display}: {ex.Message} " +
                "The permissions each command needs are listed in docs/sqlserver.md (Permissions).", what, ex);
        }
        catch (SqlException ex) when (ex.Number == 2812)
        {
            throw new AsyncServerException(ErrorIds.ProviderNotAvailable, ErrorKind.NotImplemented,
                $"Cannot {what} in {_connection.Display}: this SQL Server has no sys.sp_flush_CT_internal_table_on_demand ({ex.Message}); " +
                "its automatic change tracking cleanup still runs.", what, ex);
        }
    }

    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> GetChangeTrackingStateAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var schemas = new List<TableSchema>();
        foreach (var table in tables.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            // A table that does not exist is reported as not tracked, as on the other providers.
            schemas.Add((await SqlServerCatalog.DescribeAsync(conn, table, cancellationToken).ConfigureAwait(false))?.Schema
                        ?? new TableSchema("", QualifiedName.Parse(table).Name, []));
        }
        return await StateAsync(conn, schemas, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<ChangeTrackingTableInfo>> StateAsync(SqlConnection conn, IReadOnlyList<TableSchema> tables, CancellationToken ct)
    {
        var db = await ReadDatabaseStateAsync(conn, null, ct).ConfigureAwait(false);
        var result = new List<ChangeTrackingTableInfo>();
        foreach (var table in tables)
        {
            if (table.Columns.Count == 0) { result.Add(new ChangeTrackingTableInfo(table.Name, false, null, db.CurrentVersion ?? 0, 0)); continue; }
            var min = await SqlServerConnections.ScalarAsync(conn, SqlServerSql.MinValidVersion, ct, null, ("@table", SqlServerSql.Table(table)))
                .ConfigureAwait(false);
            long rows = 0;
            if (min is not null)
                rows = Convert.ToInt64(
                    await SqlServerConnections.ScalarAsync(
                            conn, SqlServerSql.CountTrackedRows(table), ct, null, ("@since", Convert.ToInt64(min, CultureInfo.InvariantCulture)))
                        .ConfigureAwait(false),
                    CultureInfo.InvariantCulture);
            result.Add(new ChangeTrackingTableInfo(
                table.Name, min is not null, min is null ? null : Convert.ToInt64(min, CultureInfo.InvariantCulture), db.CurrentVersion ?? 0, rows));
        }
        return result;
    }

    /// <summary>
    /// SQL Server removes expired history by itself (AUTO_CLEANUP, by the database's CHANGE_RETENTION). This method
    /// runs that cleanup now: for a positive <paramref name="retention"/> it calls
    /// sys.sp_flush_CT_internal_table_on_demand for every tracked table, which applies the database's retention (set
    /// it with Enable-AsyncChangeTracking -RetentionDays; the argument does not override it). A retention of zero or
    /// less means "keep no history": each tracked table's change tracking is switched off and on in one transaction,
    /// which drops its history and moves its minimum valid version to the current version, so every data group's
    /// next run of those tables is a full sync. See docs/sqlserver.md for the permissions each needs.
    /// </summary>
    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> CleanupChangeTrackingAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var tables = new List<TableSchema>();
        var names = new List<(string Schema, string Name)>();
        await using (var cmd = SqlServerConnections.Command(conn, SqlServerSql.TrackedTables, null))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                names.Add((reader.GetString(0), reader.GetString(1)));
        foreach (var (schema, name) in names)
            tables.Add((await SqlServerCatalog.DescribeAsync(conn, new QualifiedName(schema, name), cancellationToken).ConfigureAwait(false))!.Schema);

        if (retention > TimeSpan.Zero)
        {
            foreach (var table in tables)
            {
                await RunAsync(() => SqlServerConnections.ExecuteAsync(
                        conn, SqlServerSql.FlushTable, cancellationToken, null, ("@table", SqlServerSql.Table(table))),
                    $"clean up the change history of {table.DisplayName}").ConfigureAwait(false);
                if ((await SqlServerBeforeImages.ColumnsAsync(conn, null, table, cancellationToken).ConfigureAwait(false)).Count > 0)
                    await RunAsync(() => SqlServerConnections.ExecuteAsync(conn, SqlServerSql.CleanupBeforeImages(table), cancellationToken, null,
                        ("@cutoff", DateTime.UtcNow.Subtract(retention))), $"clean up the before-image log of {table.DisplayName}").ConfigureAwait(false);
            }
        }
        else
        {
            await using var tx = (SqlTransaction)await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            foreach (var table in tables)
                await RunAsync(() => SqlServerConnections.ExecuteAsync(conn, SqlServerSql.ResetTableChangeTracking(table), cancellationToken, tx),
                    $"drop the change history of {table.DisplayName}").ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        return await StateAsync(conn, tables, cancellationToken).ConfigureAwait(false);
    }

    private sealed record DatabaseState(string Name, bool SnapshotIsolationOn, bool ChangeTrackingOn, long? CurrentVersion);

    private static async Task<DatabaseState> ReadDatabaseStateAsync(SqlConnection conn, SqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = SqlServerConnections.Command(conn, SqlServerSql.DatabaseState, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            throw new InvalidOperationException("sys.databases has no row for the current database.");
        var current = reader.IsDBNull(6) ? (long?)null : reader.GetInt64(6);
        // CHANGE_TRACKING_CURRENT_VERSION() is not null exactly when change tracking is on, and needs no permission on
        // sys.change_tracking_databases, which a least-privileged HQ login may not see.
        return new DatabaseState(reader.GetString(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture) == 1,
            current is not null || Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture) == 1, current);
    }

    public async Task<IChangeSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await ReadDatabaseStateAsync(conn, null, cancellationToken).ConfigureAwait(false);
            if (!state.ChangeTrackingOn)
                throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                    $"Change tracking is not enabled on HQ database {_connection.Display}; run Enable-AsyncChangeTracking.", _connection.Display);
            if (!state.SnapshotIsolationOn)
                throw SnapshotIsolationOff(state.Name, null);
            SqlTransaction tx;
            long version;
            try
            {
                // Everything read in this transaction comes from one committed state (Microsoft's documented pattern
                // for consistent change tracking reads). Even if the snapshot were fixed only at the first row read,
                // nothing would be lost: incremental reads are bounded by this version (@to), so a later change is
                // left to the next run, and a full read that sees a later row value is repeated, idempotently, by the
                // next incremental run.
                tx = (SqlTransaction)await conn.BeginTransactionAsync(IsolationLevel.Snapshot, cancellationToken).ConfigureAwait(false);
                version = Convert.ToInt64(await SqlServerConnections.ScalarAsync(conn, SqlServerSql.CurrentVersion, cancellationToken, tx).ConfigureAwait(false)
                    ?? throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                        $"Change tracking is not enabled on HQ database {_connection.Display}; run Enable-AsyncChangeTracking.", _connection.Display),
                    CultureInfo.InvariantCulture);
            }
            catch (SqlException ex) when (ex.Number == 3952)
            {
                throw SnapshotIsolationOff(state.Name, ex);
            }
            return new Snapshot(conn, tx, version);
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private AsyncServerException SnapshotIsolationOff(string database, Exception? inner) => new(
        ErrorIds.SnapshotIsolationNotEnabled, ErrorKind.InvalidOperation,
        $"Snapshot isolation is not allowed in HQ database {_connection.Display}; distribution reads change tracking in a snapshot transaction " +
        $"so that no committed change is missed. Enable it with: {SqlServerSql.AllowSnapshotIsolation(database)}", database, inner);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Snapshot(SqlConnection conn, SqlTransaction tx, long version) : IChangeSnapshot
    {
        public long CurrentVersion => version;

        /// <summary>A filter through a parent reads the parent's changes and before-images: without them it would silently miss children.</summary>
        private async Task CheckParentsTrackedAsync(ExtractionQuery query, CancellationToken ct)
        {
            foreach (var parent in ChangeTracking.ParentFilters.ParentsOf(query))
            {
                await GetMinValidVersionAsync(parent, ct).ConfigureAwait(false);
                var needed = ChangeTracking.ParentFilters.BeforeImageColumnsOf(query, parent);
                if (needed.Count == 0) continue;
                var kept = await SqlServerBeforeImages.ColumnsAsync(conn, tx, parent, ct).ConfigureAwait(false);
                var missing = needed.Where(c => !kept.Contains(c)).ToList();
                if (missing.Count > 0)
                    throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                        $"The filter of HQ table '{query.Table.DisplayName}' goes through '{parent.DisplayName}', " +
                        "whose change tracking does not keep the previous values of " +
                        $"{string.Join(", ", missing)}; run Enable-AsyncChangeTracking with this configuration.", parent.DisplayName);
            }
        }

        public async Task<long> GetMinValidVersionAsync(TableSchema table, CancellationToken cancellationToken)
        {
            var min = await SqlServerConnections.ScalarAsync(conn, SqlServerSql.MinValidVersion, cancellationToken, tx, ("@table", SqlServerSql.Table(table)))
                .ConfigureAwait(false);
            return min is null
                ? throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                    // SQL Server answers NULL both for an untracked table and for a login without VIEW CHANGE TRACKING on it.
                    $"Change tracking is not enabled for HQ table '{table.DisplayName}', or the login lacks VIEW CHANGE TRACKING on it; " +
                    $"run Enable-AsyncChangeTracking, or GRANT SELECT, VIEW CHANGE TRACKING ON {SqlServerSql.Table(table)} (docs/sqlserver.md).", table.Name)
                : Convert.ToInt64(min, CultureInfo.InvariantCulture);
        }

        public async Task<Packaging.IPackageRowSource> ReadPackageRowsAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken)
            => new ChangeTracking.DataReaderRowSource(await ReadAsync(query, fromVersion, cancellationToken).ConfigureAwait(false), query);

        public async Task<DbDataReader> ReadAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken)
        {
            if (fromVersion is not null) await CheckParentsTrackedAsync(query, cancellationToken).ConfigureAwait(false);
            var extraction = SqlServerSql.Extract(query, incremental: fromVersion is not null);
            var cmd = SqlServerConnections.Command(conn, extraction.Sql, tx);
            // Extraction streams whole tables; the run's cancellation token bounds it, not a timeout.
            cmd.CommandTimeout = 0;
            foreach (var p in extraction.Parameters)
                cmd.Parameters.Add(new SqlParameter("@" + p.Name, SqlServerTypes.ParameterType(p.Type)) { Value = p.Value ?? DBNull.Value });
            if (fromVersion is not null)
            {
                cmd.Parameters.Add(new SqlParameter("@from", SqlDbType.BigInt) { Value = fromVersion.Value });
                cmd.Parameters.Add(new SqlParameter("@to", SqlDbType.BigInt) { Value = version });
            }
            try
            {
                // Not SequentialAccess: the package writer reads key columns of deletes in key order, not column order.
                return await cmd.ExecuteReaderAsync(CommandBehavior.Default, cancellationToken).ConfigureAwait(false);
            }
            catch (SqlException ex) when (ex.Number is 22105 or 22113)
            {
                throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                    $"Change tracking is not enabled for HQ table '{query.Table.DisplayName}'; run Enable-AsyncChangeTracking. ({ex.Message})",
                    query.Table.Name, ex);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try { await tx.RollbackAsync().ConfigureAwait(false); } catch (InvalidOperationException) { } catch (SqlException) { }
            await tx.DisposeAsync().ConfigureAwait(false);
            await conn.DisposeAsync().ConfigureAwait(false);
        }
    }
}
