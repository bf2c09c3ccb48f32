using System.Data.Common;
using System.Globalization;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Filtering;
using AsyncServer.Packaging;
using Npgsql;
using static AsyncServer.Providers.PostgreSql.PostgresTrackingSchema;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Commit-consistent change tracking on PostgreSQL (docs/postgresql.md). Triggers record, per changed key,
/// the transaction id of its latest change; a version is a tick (a recorded snapshot). The changes in
/// (tick A, tick B] are the side rows whose transaction is visible in B's snapshot and not in A's, so a
/// transaction that began before a run and committed after it belongs to the next run, never to none.
/// </summary>
public sealed class PostgresChangeSource : IChangeSource
{
    private readonly ResolvedConnection _connection;

    public PostgresChangeSource(ResolvedConnection connection) => _connection = connection;

    public DatabaseProvider Provider => DatabaseProvider.PostgreSql;
    public SqlDialect Dialect => SqlDialect.PostgreSql;

    /// <summary>
    /// Every HQ connection reads with a 128 KB socket buffer (the snapshot's COPY streams whole tables), and all of
    /// them share one connection string, so one pool and one load of the server's types serve them.
    /// </summary>
    private Task<NpgsqlConnection> OpenAsync(CancellationToken ct) => PostgresConnections.OpenAsync(_connection, ct, readBufferSize: 128 * 1024);

    public async Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await PostgresCatalog.DescribeAsync(conn, table, cancellationToken).ConfigureAwait(false))?.Schema;
    }

    public async Task<IReadOnlyList<IReadOnlyList<string>>> GetIndexesAsync(TableSchema table, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // Key columns only (not INCLUDE columns); an expression column (attnum 0) ends what a lookup by plain columns can use.
        await using var cmd = PostgresConnections.Command(conn, """
            SELECT i.indexrelid, k.ord, a.attname
            FROM pg_catalog.pg_index i
            CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
            LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = pg_catalog.to_regclass(@t) AND k.ord <= i.indnkeyatts AND i.indisvalid AND i.indpred IS NULL
            ORDER BY i.indexrelid, k.ord
            """, null, ("t", PostgresCatalog.Quote(table)));
        var byIndex = new Dictionary<uint, List<string>>();
        var ended = new HashSet<uint>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetFieldValue<uint>(0);
            if (ended.Contains(id)) continue;
            if (reader.IsDBNull(2)) { ended.Add(id); continue; }
            if (!byIndex.TryGetValue(id, out var columns)) byIndex[id] = columns = [];
            columns.Add(reader.GetString(2));
        }
        return byIndex.Values.ToList<IReadOnlyList<string>>();
    }

    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> EnableChangeTrackingAsync(
        IReadOnlyList<string> tables, ChangeTrackingOptions options, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await PostgresConnections.ExecuteAsync(conn, $"SELECT pg_catalog.pg_advisory_xact_lock({DdlLockKey})", cancellationToken, tx).ConfigureAwait(false);
            await PostgresConnections.ExecuteAsync(conn, CreateBaseObjects, cancellationToken, tx).ConfigureAwait(false);
            var added = new List<int>();
            foreach (var name in tables.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var table = await PostgresCatalog.DescribeAsync(conn, name, cancellationToken, tx).ConfigureAwait(false)
                    ?? throw new AsyncServerException(ErrorIds.TableNotFound, ErrorKind.ObjectNotFound, $"HQ table '{name}' does not exist.", name);
                var schema = table.Schema;
                var keys = schema.PrimaryKey;
                if (keys.Count == 0)
                    throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidData,
                        $"HQ table '{schema.DisplayName}' has no primary key; change tracking needs one to deliver deletes by key.", name);
                var id = await PostgresConnections.ScalarAsync(conn, $"SELECT id FROM {Tables} WHERE schema_name = @s AND table_name = @t",
                    cancellationToken, tx, ("s", schema.Schema), ("t", schema.Name)).ConfigureAwait(false);
                if (id is null)
                {
                    // The minimum valid version is set below, to the tick taken once the triggers are in place.
                    id = await PostgresConnections.ScalarAsync(conn,
                        $"INSERT INTO {Tables} (schema_name, table_name, side_table, min_valid_version, retention_seconds) " +
                        "VALUES (@s, @t, 'ct_pending_' || pg_catalog.gen_random_uuid(), 0, @r) RETURNING id",
                        cancellationToken, tx, ("s", schema.Schema), ("t", schema.Name), ("r", (long)options.Retention.TotalSeconds)).ConfigureAwait(false);
                    await PostgresConnections.ExecuteAsync(conn, $"UPDATE {Tables} SET side_table = 'ct_' || id WHERE id = @id",
                        cancellationToken, tx, ("id", id)).ConfigureAwait(false);
                    added.Add(Convert.ToInt32(id, CultureInfo.InvariantCulture));
                }
                else
                {
                    await PostgresConnections.ExecuteAsync(conn, $"UPDATE {Tables} SET retention_seconds = @r WHERE id = @id",
                        cancellationToken, tx, ("r", (long)options.Retention.TotalSeconds), ("id", id)).ConfigureAwait(false);
                }
                await PostgresConnections.ExecuteAsync(
                        conn, TrackingDdl(schema, keys, "ct_" + Convert.ToInt32(id, CultureInfo.InvariantCulture)), cancellationToken, tx)
                    .ConfigureAwait(false);
                // Changes from before a before-image log began have none: the minimum valid version moves past them, as for a new table.
                if (options.BeforeImagesOf(schema.Name) is { Count: > 0 } before
                    && await PostgresBeforeImages.EnableAsync(
                            conn, tx, schema, "ct_" + Convert.ToInt32(id, CultureInfo.InvariantCulture), before, cancellationToken)
                        .ConfigureAwait(false)
                    && !added.Contains(Convert.ToInt32(id, CultureInfo.InvariantCulture)))
                    added.Add(Convert.ToInt32(id, CultureInfo.InvariantCulture));
            }
            if (added.Count > 0)
            {
                // The triggers now exist and hold their locks: every write committed before this statement's
                // snapshot is in the table (a first run reads it in full), every later one fires the triggers.
                var tick = await PostgresTicks.CreateHereAsync(conn, tx, cancellationToken).ConfigureAwait(false);
                await PostgresConnections.ExecuteAsync(conn, $"UPDATE {Tables} SET min_valid_version = @v WHERE id = ANY(@ids)",
                    cancellationToken, tx, ("v", tick), ("ids", added.ToArray())).ConfigureAwait(false);
            }
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        return await StateAsync(conn, tables, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> GetChangeTrackingStateAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await StateAsync(conn, tables, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> InstalledAsync(NpgsqlConnection conn, CancellationToken ct, NpgsqlTransaction? tx = null)
        => await PostgresConnections.ScalarAsync(conn, "SELECT pg_catalog.to_regclass(@t) IS NOT NULL", ct, tx, ("t", Tables)).ConfigureAwait(false) is true;

    private static async Task<IReadOnlyList<ChangeTrackingTableInfo>> StateAsync(NpgsqlConnection conn, IReadOnlyList<string> tables, CancellationToken ct)
    {
        var installed = await InstalledAsync(conn, ct).ConfigureAwait(false);
        var current = installed
            ? Convert.ToInt64(await PostgresConnections.ScalarAsync(conn, $"SELECT coalesce(max(tick_id), 0) FROM {Ticks}", ct).ConfigureAwait(false),
                CultureInfo.InvariantCulture)
            : 0L;
        var result = new List<ChangeTrackingTableInfo>();
        foreach (var name in tables.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var table = await PostgresCatalog.DescribeAsync(conn, name, ct).ConfigureAwait(false);
            var display = table?.Schema.Name ?? QualifiedName.Parse(name).Name;
            if (!installed || table is null) { result.Add(new ChangeTrackingTableInfo(display, false, null, current, 0)); continue; }
            var row = await ReadRegistryAsync(conn, null, table.Schema, ct).ConfigureAwait(false);
            long rows = 0;
            if (row is { } r)
                rows = Convert.ToInt64(
                    await PostgresConnections.ScalarAsync(conn, $"SELECT count(*) FROM {Schema}.{SqlDialect.PostgreSql.Quote(r.SideTable)}", ct)
                        .ConfigureAwait(false),
                    CultureInfo.InvariantCulture);
            result.Add(new ChangeTrackingTableInfo(display, row is not null, row?.MinValidVersion, current, rows));
        }
        return result;
    }

    private static async Task<(string SideTable, long MinValidVersion)?> ReadRegistryAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, TableSchema table, CancellationToken ct)
    {
        await using var cmd = PostgresConnections.Command(
            conn, $"SELECT side_table, min_valid_version FROM {Tables} WHERE schema_name = @s AND table_name = @t",
            tx, ("s", table.Schema), ("t", table.Name));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? (reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> CleanupChangeTrackingAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!await InstalledAsync(conn, cancellationToken).ConfigureAwait(false)) return [];
        var cutoff = DateTimeOffset.UtcNow.Subtract(retention);
        var names = new List<string>();
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            // A fresh tick bounds what may go: only changes of transactions that finished before its snapshot's xmin.
            var fresh = await PostgresTicks.CreateHereAsync(conn, tx, cancellationToken).ConfigureAwait(false);
            var registry = new List<(int Id, string Schema, string Table, string Side)>();
            await using (var cmd = PostgresConnections.Command(
                conn, $"SELECT id, schema_name, table_name, side_table FROM {Tables} ORDER BY id FOR UPDATE", tx))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    registry.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            foreach (var (id, schema, table, sideName) in registry)
            {
                names.Add(string.IsNullOrEmpty(schema) ? table : $"{schema}.{table}");
                var side = $"{Schema}.{SqlDialect.PostgreSql.Quote(sideName)}";
                // The deleted changes are all visible in every tick whose xmin is above the newest of them: a
                // reader at such a tick already has them; a reader below it can no longer compute its delta,
                // which the raised minimum valid version tells it (architecture rule 3).
                var newVersion = await PostgresConnections.ScalarAsync(conn, $"""
                    WITH fresh AS (SELECT snapshot FROM {Ticks} WHERE tick_id = @fresh),
                         gone AS (DELETE FROM {side} s USING fresh
                                  WHERE s.__changed_at <= @cutoff AND s.__xid < pg_catalog.pg_snapshot_xmin(fresh.snapshot)
                                  RETURNING s.__xid),
                         newest AS (SELECT max(__xid) AS xid FROM gone)
                    SELECT (SELECT min(t.tick_id) FROM {Ticks} t WHERE pg_catalog.pg_snapshot_xmin(t.snapshot) > newest.xid)
                    FROM newest WHERE newest.xid IS NOT NULL
                    """, cancellationToken, tx, ("fresh", fresh), ("cutoff", cutoff)).ConfigureAwait(false);
                var beforeVersion = await PostgresBeforeImages.CleanupAsync(conn, tx, sideName, fresh, cutoff, cancellationToken).ConfigureAwait(false);
                if (newVersion is null && beforeVersion is null) continue;
                var raised = Math.Max(newVersion is null ? 0 : Convert.ToInt64(newVersion, CultureInfo.InvariantCulture), beforeVersion ?? 0);
                await PostgresConnections.ExecuteAsync(conn, $"UPDATE {Tables} SET min_valid_version = GREATEST(min_valid_version, @v) WHERE id = @id",
                    cancellationToken, tx, ("v", raised), ("id", id)).ConfigureAwait(false);
            }
            // Ticks below every table's minimum valid version can never be the start of a delta again.
            await PostgresConnections.ExecuteAsync(conn, $"DELETE FROM {Ticks} WHERE tick_id < (SELECT min(min_valid_version) FROM {Tables})",
                cancellationToken, tx).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        return await StateAsync(conn, names, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IChangeSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var reader = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var writer = await OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await InstalledAsync(writer, cancellationToken).ConfigureAwait(false))
                    throw NotEnabled(
                        $"Change tracking is not enabled on HQ database {_connection.Display}; run Enable-AsyncChangeTracking.", _connection.Display);
                var (tx, tick, snapshot) = await PostgresTicks.BeginSnapshotAsync(reader, writer, cancellationToken).ConfigureAwait(false);
                return new Snapshot(reader, tx, tick, snapshot);
            }
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static AsyncServerException NotEnabled(string message, object target)
        => new(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation, message, target);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>One REPEATABLE READ transaction whose snapshot is tick <see cref="CurrentVersion"/>'s.</summary>
    private sealed class Snapshot(NpgsqlConnection conn, NpgsqlTransaction tx, long tick, string snapshot) : IChangeSnapshot
    {
        public long CurrentVersion => tick;

        public async Task<long> GetMinValidVersionAsync(TableSchema table, CancellationToken cancellationToken)
            => (await RegistryAsync(table, cancellationToken).ConfigureAwait(false)).MinValidVersion;

        private async Task<(string SideTable, long MinValidVersion)> RegistryAsync(TableSchema table, CancellationToken ct)
            => await ReadRegistryAsync(conn, tx, table, ct).ConfigureAwait(false)
               ?? throw NotEnabled($"Change tracking is not enabled for HQ table '{table.DisplayName}'; run Enable-AsyncChangeTracking.", table.DisplayName);

        public async Task<DbDataReader> ReadAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken)
        {
            var read = await SelectAsync(query, fromVersion, (name, type) => $"@{name}::{type}", cancellationToken).ConfigureAwait(false);
            var cmd = PostgresConnections.Command(conn, read.Sql, tx);
            foreach (var p in read.Filter.Parameters)
                cmd.Parameters.AddWithValue(p.Name, PostgresTypes.ToNpgsql(p.Type), PostgresTypes.ToProviderValue(p.Value, p.Type));
            if (read.FromSnapshot is not null)
            {
                cmd.Parameters.AddWithValue("from_snap", read.FromSnapshot);
                cmd.Parameters.AddWithValue("to_snap", snapshot);
            }
            // The reader owns the command's lifetime; Npgsql commands hold nothing on the server once the reader closes.
            return await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The same SELECT as <see cref="ReadAsync"/>, run as a binary COPY. COPY takes no parameters, so the values
        /// are first stored as transaction-local settings (bound to set_config, never pasted into SQL text) and the
        /// SELECT reads each one back once, in an uncorrelated subquery (an InitPlan), cast to its type. The text round
        /// trip is PostgreSQL's own output and input function of that type in one session, so it is exact.
        /// </summary>
        public async Task<IPackageRowSource> ReadPackageRowsAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken)
        {
            var settings = new List<(string Name, string Expression, object Value, NpgsqlTypes.NpgsqlDbType? Type)>();
            var read = await SelectAsync(query, fromVersion,
                (name, type) => $"(SELECT pg_catalog.current_setting('asyncserver.{name}'))::{type}", cancellationToken).ConfigureAwait(false);
            foreach (var p in read.Filter.Parameters)
                settings.Add((p.Name, $"CAST(@{p.Name} AS {PostgresTypes.ToDeclared(p.Type)})::text", PostgresTypes.ToProviderValue(p.Value, p.Type),
                    PostgresTypes.ToNpgsql(p.Type)));
            if (read.FromSnapshot is not null)
            {
                settings.Add(("from_snap", "@from_snap", read.FromSnapshot, null));
                settings.Add(("to_snap", "@to_snap", snapshot, null));
            }
            if (settings.Count > 0)
            {
                // Shortest exact float8 text for double parameters, whatever the server's default.
                if (read.Filter.Parameters.Any(p => p.Type == LogicalType.Double))
                    await PostgresConnections.ExecuteAsync(conn, "SET LOCAL extra_float_digits = 3", cancellationToken, tx).ConfigureAwait(false);
                var select = "SELECT " + string.Join(", ", settings.Select(s => $"pg_catalog.set_config('asyncserver.{s.Name}', {s.Expression}, true)"));
                await using var set = PostgresConnections.Command(conn, select, tx);
                foreach (var s in settings)
                    if (s.Type is { } type) set.Parameters.AddWithValue(s.Name, type, s.Value);
                    else set.Parameters.AddWithValue(s.Name, s.Value);
                await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return await PostgresCopyRowSource.StartAsync(conn, $"COPY ({read.Sql}) TO STDOUT (FORMAT BINARY)", query, cancellationToken).ConfigureAwait(false);
        }

        private sealed record Select(string Sql, FilterRenderer Filter, string? FromSnapshot);

        /// <summary>
        /// The extraction SELECT: column 0 the upsert flag, then the query's columns read as their logical types.
        /// <paramref name="value"/> spells a reference to the named value (a filter parameter, from_snap, to_snap) cast to a SQL type.
        /// </summary>
        private async Task<Select> SelectAsync(
            ExtractionQuery query, long? fromVersion, Func<string, string, string> value, CancellationToken cancellationToken)
        {
            var d = SqlDialect.PostgreSql;
            var renderer = new FilterRenderer(d, query.SchemaOf, query.Parameters, parameterReference: p => value(p.Name, PostgresTypes.ToDeclared(p.Type)));
            var filterSql = query.Filter is null ? null : renderer.Render(query.Filter, query.Table, "t");
            var table = PostgresCatalog.Quote(query.Table);
            if (fromVersion is null)
            {
                var cols = string.Join(", ", query.Columns.Select(c => PostgresTypes.ReadExpression(c, "t." + d.Quote(c.Name))));
                return new Select($"SELECT 1 AS __upsert, {cols} FROM {table} AS t" + (filterSql is null ? "" : $" WHERE {filterSql}"), renderer, null);
            }
            var (sideTable, _) = await RegistryAsync(query.Table, cancellationToken).ConfigureAwait(false);
            // This snapshot's own tick row was committed after the snapshot was taken, so it is not visible here.
            var fromSnapshot = fromVersion == tick
                ? snapshot
                : (string?)await PostgresConnections.ScalarAsync(conn, $"SELECT snapshot::text FROM {Ticks} WHERE tick_id = @v",
                    cancellationToken, tx, ("v", fromVersion.Value)).ConfigureAwait(false)
                ?? throw NotEnabled(
                    $"Version {fromVersion} of HQ table '{query.Table.DisplayName}' is unknown or was cleaned up; run a full sync.", query.Table.DisplayName);
            var sideTables = new Dictionary<string, string>(StringComparer.Ordinal) { [query.Table.DisplayName] = sideTable };
            foreach (var parent in ParentFilters.ParentsOf(query))
                sideTables[parent.DisplayName] = await ParentSideTableAsync(query, parent, cancellationToken).ConfigureAwait(false);
            var keySet = query.KeyColumns.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
            var columns = string.Join(", ", query.Columns.Select(c =>
                PostgresTypes.ReadExpression(c, (keySet.Contains(c.Name) ? "ct." : "t.") + d.Quote(c.Name))));
            var join = string.Join(" AND ", query.KeyColumns.Select(k => $"t.{d.Quote(k.Name)} = ct.{d.Quote(k.Name)}"));
            var present = $"t.{d.Quote(query.KeyColumns[0].Name)} IS NOT NULL";
            var upsert = filterSql is null ? present : $"{present} AND {filterSql}";
            string from = value("from_snap", "pg_snapshot"), to = value("to_snap", "pg_snapshot");
            // Visible in this tick's snapshot and not in the starting tick's. The xid bounds only let the
            // index narrow the scan: anything invisible at A is at least A's xmin, anything visible at B below B's xmax.
            string InRange(string alias) => $"{alias}.__xid >= pg_catalog.pg_snapshot_xmin({from}) AND {alias}.__xid < pg_catalog.pg_snapshot_xmax({to}) " +
                $"AND pg_catalog.pg_visible_in_snapshot({alias}.__xid, {to}) AND NOT pg_catalog.pg_visible_in_snapshot({alias}.__xid, {from})";
            // The candidate keys (the child's changes and, through a parent filter, the children of changed parents:
            // ParentFilters), each looked up once by key and tested against the filter now.
            var changed = ParentFilters.ChangedKeysSql(query, d, new ParentFilters.ChangeObjects(
                PostgresCatalog.Quote, t => $"{Schema}.{d.Quote(sideTables[t.DisplayName])}",
                t => $"{Schema}.{d.Quote(PostgresBeforeImages.LogTable(sideTables[t.DisplayName]))}", InRange));
            return new Select($"WITH ck AS ({changed}) SELECT CASE WHEN {upsert} THEN 1 ELSE 0 END AS __upsert, {columns} " +
                  $"FROM ck AS ct LEFT JOIN {table} AS t ON {join}", renderer, fromSnapshot);
        }

        /// <summary>
        /// The side table of a filter's parent, after checking its tracking keeps the before-images the filter needs:
        /// without them the read would silently miss children that left the filter.
        /// </summary>
        private async Task<string> ParentSideTableAsync(ExtractionQuery query, TableSchema parent, CancellationToken ct)
        {
            var (side, _) = await RegistryAsync(parent, ct).ConfigureAwait(false);
            var needed = ParentFilters.BeforeImageColumnsOf(query, parent);
            if (needed.Count == 0) return side;
            var kept = await PostgresBeforeImages.ColumnsAsync(conn, tx, side, ct).ConfigureAwait(false);
            var missing = needed.Where(c => !kept.Contains(c)).ToList();
            return missing.Count == 0 ? side
                : throw NotEnabled($"The filter of HQ table '{query.Table.DisplayName}' goes through '{parent.DisplayName}', " +
                    "whose change tracking does not keep the previous values of " +
                    $"{string.Join(", ", missing)}; run Enable-AsyncChangeTracking with this configuration.", parent.DisplayName);
        }

        public async ValueTask DisposeAsync()
        {
            try { await tx.RollbackAsync().ConfigureAwait(false); } catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException) { }
            await tx.DisposeAsync().ConfigureAwait(false);
            await conn.DisposeAsync().ConfigureAwait(false);
        }
    }
}
