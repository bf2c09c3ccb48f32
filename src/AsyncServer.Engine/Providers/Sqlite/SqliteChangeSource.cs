using System.Data.Common;
using System.Globalization;
using System.Text;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Filtering;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// Change tracking emulated on SQLite: per tracked table a side table holding, for each changed key, the
/// version and kind of its latest change, kept by AFTER triggers; one database-wide version counter
/// bumped by every tracked row change. SQLite admits one writer at a time, so versions are handed out in
/// commit order, and a reader in WAL mode sees one consistent snapshot for its whole transaction.
/// </summary>
public sealed class SqliteChangeSource : IChangeSource
{
    internal const string VersionTable = "__async_ct_version";
    internal const string TablesTable = "__async_ct_tables";
    internal static string SideTable(string table) => "__async_ct_" + table;
    /// <summary>A parent table's before-image log (<see cref="ParentFilters"/>): the version and previous values of each update and delete.</summary>
    internal static string BeforeTable(string table) => "__async_ct_" + table + "__before";

    private readonly ResolvedConnection _connection;

    public SqliteChangeSource(ResolvedConnection connection) => _connection = connection;

    public DatabaseProvider Provider => DatabaseProvider.Sqlite;
    public SqlDialect Dialect => SqlDialect.Sqlite;

    public async Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken)
    {
        await using var conn = await SqliteConnections.OpenAsync(_connection, create: false, cancellationToken).ConfigureAwait(false);
        return await DescribeAsync(conn, table, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IReadOnlyList<string>>> GetIndexesAsync(TableSchema table, CancellationToken cancellationToken)
    {
        await using var conn = await SqliteConnections.OpenAsync(_connection, create: false, cancellationToken).ConfigureAwait(false);
        var indexes = new List<IReadOnlyList<string>>();
        // A column declared INTEGER PRIMARY KEY is the rowid itself: no index is listed, yet lookups by it are seeks.
        if (table.PrimaryKey is [{ NativeType: var type } single] && string.Equals(type, "INTEGER", StringComparison.OrdinalIgnoreCase))
            indexes.Add([single.Name]);
        var byIndex = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        await using var cmd = conn.CreateCommand();
        // Partial indexes (WHERE ...) serve only some lookups: left out.
        cmd.CommandText = "SELECT il.name, ii.name FROM pragma_index_list(@t) AS il, pragma_index_info(il.name) AS ii " +
                          "WHERE il.partial = 0 ORDER BY il.seq, ii.seqno";
        cmd.Parameters.AddWithValue("@t", table.Name);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var index = reader.GetString(0);
            if (ended.Contains(index)) continue;
            // An expression column ends what a lookup by plain columns can use.
            if (reader.IsDBNull(1)) { ended.Add(index); continue; }
            if (!byIndex.TryGetValue(index, out var columns)) byIndex[index] = columns = [];
            columns.Add(reader.GetString(1));
        }
        indexes.AddRange(byIndex.Values);
        return indexes;
    }

    internal static async Task<TableSchema?> DescribeAsync(SqliteConnection conn, string table, CancellationToken ct, SqliteTransaction? tx = null)
    {
        var name = QualifiedName.Parse(table).Name;
        var catalogName = (string?)await SqliteConnections.ScalarAsync(conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = @name COLLATE NOCASE", ct, tx, ("@name", name)).ConfigureAwait(false);
        if (catalogName is null) return null;
        var columns = new List<ColumnSchema>();
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT name, type, \"notnull\", pk FROM pragma_table_info(@name) ORDER BY cid";
        cmd.Parameters.AddWithValue("@name", catalogName);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var declared = reader.IsDBNull(1) ? "" : reader.GetString(1);
            columns.Add(new ColumnSchema(reader.GetString(0), SqliteTypes.FromDeclared(declared), declared,
                reader.GetInt64(2) == 0, (int)reader.GetInt64(3)));
        }
        return new TableSchema("", catalogName, columns);
    }

    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> EnableChangeTrackingAsync(
        IReadOnlyList<string> tables, ChangeTrackingOptions options, CancellationToken cancellationToken)
    {
        await using var conn = await SqliteConnections.OpenAsync(_connection, create: false, cancellationToken).ConfigureAwait(false);
        // WAL lets distribution runs read a snapshot while HQ keeps writing; the setting is stored in the file.
        await SqliteConnections.ExecuteAsync(conn, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await SqliteConnections.ExecuteAsync(conn, $"""
            CREATE TABLE IF NOT EXISTS "{VersionTable}" (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
            INSERT OR IGNORE INTO "{VersionTable}" (id, version) VALUES (1, 0);
            CREATE TABLE IF NOT EXISTS "{TablesTable}" (table_name TEXT PRIMARY KEY COLLATE NOCASE, min_valid_version INTEGER NOT NULL,
                retention_seconds INTEGER NOT NULL, enabled_at TEXT NOT NULL);
            """, cancellationToken, tx).ConfigureAwait(false);

        foreach (var table in tables.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var schema = await DescribeAsync(conn, table, cancellationToken, tx).ConfigureAwait(false)
                ?? throw new AsyncServerException(ErrorIds.TableNotFound, ErrorKind.ObjectNotFound, $"HQ table '{table}' does not exist.", table);
            var keys = schema.PrimaryKey;
            if (keys.Count == 0)
                throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidData,
                    $"HQ table '{schema.Name}' has no primary key; change tracking needs one to deliver deletes by key.", table);
            await SqliteConnections.ExecuteAsync(conn, TrackingDdl(schema, keys), cancellationToken, tx).ConfigureAwait(false);
            await SqliteConnections.ExecuteAsync(conn,
                $"INSERT INTO \"{TablesTable}\" (table_name, min_valid_version, retention_seconds, enabled_at) " +
                $"VALUES (@t, (SELECT version FROM \"{VersionTable}\" WHERE id = 1), @r, @now) " +
                "ON CONFLICT (table_name) DO UPDATE SET retention_seconds = excluded.retention_seconds",
                cancellationToken, tx, ("@t", schema.Name), ("@r", (long)options.Retention.TotalSeconds), ("@now", DateTimeOffset.UtcNow.ToString("o")))
                .ConfigureAwait(false);
            if (options.BeforeImagesOf(schema.Name) is { Count: > 0 } before
                && await SqliteBeforeImages.EnableAsync(conn, tx, schema, before, cancellationToken).ConfigureAwait(false))
            {
                // Changes from before the log began have no before-images: a delta across them cannot be computed.
                await SqliteConnections.ExecuteAsync(conn,
                    $"UPDATE \"{TablesTable}\" SET min_valid_version = MAX(min_valid_version, (SELECT version FROM \"{VersionTable}\" WHERE id = 1)) " +
                    "WHERE table_name = @t",
                    cancellationToken, tx, ("@t", schema.Name)).ConfigureAwait(false);
            }
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return await StateAsync(conn, tables, cancellationToken).ConfigureAwait(false);
    }

    private static string TrackingDdl(TableSchema schema, IReadOnlyList<ColumnSchema> keys)
    {
        var d = SqlDialect.Sqlite;
        var t = d.Quote(schema.Name);
        var side = d.Quote(SideTable(schema.Name));
        var keyDefs = string.Join(", ", keys.Select(k => $"{d.Quote(k.Name)} {SqliteDeclaredType.ForDdl(k.NativeType)}"));
        var keyList = string.Join(", ", keys.Select(k => d.Quote(k.Name)));
        string Values(string row) => string.Join(", ", keys.Select(k => $"{row}.{d.Quote(k.Name)}"));
        var version = $"(SELECT version FROM \"{VersionTable}\" WHERE id = 1)";
        const string now = "CAST(strftime('%s','now') AS INTEGER)";
        var bump = $"UPDATE \"{VersionTable}\" SET version = version + 1 WHERE id = 1;";
        var keyChanged = string.Join(" AND ", keys.Select(k => $"OLD.{d.Quote(k.Name)} IS NEW.{d.Quote(k.Name)}"));
        string Trigger(string suffix) => d.Quote($"{SideTable(schema.Name)}_{suffix}");
        // A trigger's statements inherit the conflict policy of the statement that fired it (UPDATE OR IGNORE
        // would turn INSERT OR REPLACE into INSERT OR IGNORE and silently keep a stale side row), so each side
        // row is written as DELETE then plain INSERT, which no policy changes. Triggers are dropped and created
        // again, so enabling change tracking again upgrades a database that has older triggers.
        string KeyMatch(string row) => string.Join(" AND ", keys.Select(k => $"{d.Quote(k.Name)} IS {row}.{d.Quote(k.Name)}"));
        string Record(string row, string op, string? onlyIf = null)
        {
            var condition = onlyIf is null ? "" : $" AND {onlyIf}";
            var insertCondition = onlyIf is null ? "" : $" WHERE {onlyIf}";
            return $"DELETE FROM {side} WHERE {KeyMatch(row)}{condition}; " +
                   $"INSERT INTO {side} ({keyList}, \"__version\", \"__operation\", \"__changed_at\") " +
                   $"SELECT {Values(row)}, {version}, '{op}', {now}{insertCondition};";
        }
        var sb = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture; // DDL text
        sb.AppendLine(invariant, $"CREATE TABLE IF NOT EXISTS {side} ({keyDefs}, \"__version\" INTEGER NOT NULL, \"__operation\" TEXT NOT NULL, " +
                                 $"\"__changed_at\" INTEGER NOT NULL, PRIMARY KEY ({keyList}));");
        sb.AppendLine(invariant, $"CREATE INDEX IF NOT EXISTS {d.Quote(SideTable(schema.Name) + "_version")} ON {side} (\"__version\");");
        foreach (var suffix in new[] { "insert", "update", "delete" }) sb.AppendLine(invariant, $"DROP TRIGGER IF EXISTS {Trigger(suffix)};");
        sb.AppendLine(invariant, $"CREATE TRIGGER {Trigger("insert")} AFTER INSERT ON {t} BEGIN {bump} {Record("NEW", "I")} END;");
        sb.AppendLine(invariant,
            $"CREATE TRIGGER {Trigger("update")} AFTER UPDATE ON {t} BEGIN {bump} {Record("OLD", "D", $"NOT ({keyChanged})")} {Record("NEW", "U")} END;");
        sb.AppendLine(invariant, $"CREATE TRIGGER {Trigger("delete")} AFTER DELETE ON {t} BEGIN {bump} {Record("OLD", "D")} END;");
        return sb.ToString();
    }

    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> GetChangeTrackingStateAsync(
        IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        await using var conn = await SqliteConnections.OpenAsync(_connection, create: false, cancellationToken).ConfigureAwait(false);
        return await StateAsync(conn, tables, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<ChangeTrackingTableInfo>> StateAsync(SqliteConnection conn, IReadOnlyList<string> tables, CancellationToken ct)
    {
        var installed = await SqliteConnections.ScalarAsync(conn, $"SELECT 1 FROM sqlite_master WHERE type='table' AND name='{TablesTable}'", ct)
            .ConfigureAwait(false) is not null;
        var current = installed
            ? Convert.ToInt64(
                await SqliteConnections.ScalarAsync(conn, $"SELECT version FROM \"{VersionTable}\" WHERE id = 1", ct).ConfigureAwait(false),
                CultureInfo.InvariantCulture)
            : 0L;
        var result = new List<ChangeTrackingTableInfo>();
        foreach (var table in tables.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var name = QualifiedName.Parse(table).Name;
            if (!installed) { result.Add(new ChangeTrackingTableInfo(name, false, null, current, 0)); continue; }
            var min = await SqliteConnections.ScalarAsync(
                    conn, $"SELECT min_valid_version FROM \"{TablesTable}\" WHERE table_name = @t", ct, null, ("@t", name))
                .ConfigureAwait(false);
            long rows = 0;
            if (min is not null)
                rows = Convert.ToInt64(
                    await SqliteConnections.ScalarAsync(conn, $"SELECT COUNT(*) FROM {SqlDialect.Sqlite.Quote(SideTable(name))}", ct).ConfigureAwait(false),
                    CultureInfo.InvariantCulture);
            result.Add(new ChangeTrackingTableInfo(
                name, min is not null, min is null ? null : Convert.ToInt64(min, CultureInfo.InvariantCulture), current, rows));
        }
        return result;
    }

    public async Task<IReadOnlyList<ChangeTrackingTableInfo>> CleanupChangeTrackingAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var conn = await SqliteConnections.OpenAsync(_connection, create: false, cancellationToken).ConfigureAwait(false);
        // Never enabled: there is no history to clean (as on the other providers), not an error.
        if (await SqliteConnections.ScalarAsync(conn, $"SELECT 1 FROM sqlite_master WHERE type='table' AND name='{TablesTable}'", cancellationToken)
                .ConfigureAwait(false) is null)
            return [];
        var tables = new List<string>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = $"SELECT table_name FROM \"{TablesTable}\"";
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) tables.Add(reader.GetString(0));
        }
        var cutoff = DateTimeOffset.UtcNow.Subtract(retention).ToUnixTimeSeconds();
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var table in tables)
        {
            var side = SqlDialect.Sqlite.Quote(SideTable(table));
            // Everything up to the newest expired change goes; a reader whose row version is below it can no longer
            // compute its delta, which the raised minimum valid version tells it (architecture rule 3).
            var newestExpired = await SqliteConnections.ScalarAsync(conn, $"SELECT MAX(\"__version\") FROM {side} WHERE \"__changed_at\" <= @cutoff",
                cancellationToken, tx, ("@cutoff", cutoff)).ConfigureAwait(false);
            var newestExpiredBefore = await SqliteBeforeImages.CleanupAsync(conn, tx, table, cutoff, cancellationToken).ConfigureAwait(false);
            if (newestExpiredBefore is not null
                && (newestExpired is null
                    || Convert.ToInt64(newestExpiredBefore, CultureInfo.InvariantCulture) > Convert.ToInt64(newestExpired, CultureInfo.InvariantCulture)))
                newestExpired = newestExpiredBefore;
            if (newestExpired is null) continue;
            await SqliteConnections.ExecuteAsync(conn, $"DELETE FROM {side} WHERE \"__version\" <= @v", cancellationToken, tx, ("@v", newestExpired))
                .ConfigureAwait(false);
            await SqliteConnections.ExecuteAsync(conn, $"UPDATE \"{TablesTable}\" SET min_valid_version = MAX(min_valid_version, @v) WHERE table_name = @t",
                cancellationToken, tx, ("@v", newestExpired), ("@t", table)).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return await StateAsync(conn, tables, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IChangeSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var conn = await SqliteConnections.OpenAsync(_connection, create: false, cancellationToken).ConfigureAwait(false);
        try
        {
            // A deferred transaction takes its WAL snapshot at the first read: the version read next and
            // every row read afterwards come from that same snapshot.
            var tx = conn.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: true);
            var exists = await SqliteConnections.ScalarAsync(
                    conn, $"SELECT 1 FROM sqlite_master WHERE type='table' AND name='{VersionTable}'", cancellationToken, tx)
                .ConfigureAwait(false);
            if (exists is null)
                throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                    $"Change tracking is not enabled on HQ database {_connection.Display}; run Enable-AsyncChangeTracking.", _connection.Display);
            var version = Convert.ToInt64(
                await SqliteConnections.ScalarAsync(conn, $"SELECT version FROM \"{VersionTable}\" WHERE id = 1", cancellationToken, tx).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
            return new Snapshot(conn, tx, version);
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Snapshot(SqliteConnection conn, SqliteTransaction tx, long version) : IChangeSnapshot
    {
        public long CurrentVersion => version;

        public async Task<long> GetMinValidVersionAsync(TableSchema table, CancellationToken cancellationToken)
        {
            var min = await SqliteConnections.ScalarAsync(conn, $"SELECT min_valid_version FROM \"{TablesTable}\" WHERE table_name = @t",
                cancellationToken, tx, ("@t", table.Name)).ConfigureAwait(false);
            return min is null
                ? throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                    $"Change tracking is not enabled for HQ table '{table.Name}'; run Enable-AsyncChangeTracking.", table.Name)
                : Convert.ToInt64(min, CultureInfo.InvariantCulture);
        }

        public async Task<Packaging.IPackageRowSource> ReadPackageRowsAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken)
            => new ChangeTracking.DataReaderRowSource(
                await ReadAsync(query, fromVersion, cancellationToken).ConfigureAwait(false), query, SqliteValueShortcut.Instance);

        public async Task<DbDataReader> ReadAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken)
        {
            var d = SqlDialect.Sqlite;
            var renderer = new FilterRenderer(d, query.SchemaOf, query.Parameters);
            var filterSql = query.Filter is null ? null : renderer.Render(query.Filter, query.Table, "t");
            var table = d.Quote(query.Table.Name);
            string sql;
            if (fromVersion is null)
            {
                var cols = string.Join(", ", query.Columns.Select(c => "t." + d.Quote(c.Name)));
                sql = $"SELECT 1 AS \"__upsert\", {cols} FROM {table} AS t" + (filterSql is null ? "" : $" WHERE {filterSql}");
            }
            else
            {
                await CheckParentsTrackedAsync(query, cancellationToken).ConfigureAwait(false);
                var keySet = query.KeyColumns.Select(k => k.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var cols = string.Join(", ", query.Columns.Select(c => (keySet.Contains(c.Name) ? "ct." : "t.") + d.Quote(c.Name)));
                var join = string.Join(" AND ", query.KeyColumns.Select(k => $"t.{d.Quote(k.Name)} = ct.{d.Quote(k.Name)}"));
                var present = $"t.{d.Quote(query.KeyColumns[0].Name)} IS NOT NULL";
                var upsert = filterSql is null ? present : $"{present} AND {filterSql}";
                // The candidate keys (the child's changes and, through a parent filter, the children of changed
                // parents: ParentFilters), each looked up once by key and tested against the filter now.
                var changed = ParentFilters.ChangedKeysSql(query, d, new ParentFilters.ChangeObjects(
                    t => d.Quote(t.Name), t => d.Quote(SideTable(t.Name)), t => d.Quote(BeforeTable(t.Name)),
                    alias => $"{alias}.\"__version\" > @from AND {alias}.\"__version\" <= @to"));
                sql = $"WITH \"ck\" AS ({changed}) SELECT CASE WHEN {upsert} THEN 1 ELSE 0 END AS \"__upsert\", {cols} " +
                      $"FROM \"ck\" AS ct LEFT JOIN {table} AS t ON {join}";
            }
            var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            foreach (var p in renderer.Parameters) cmd.Parameters.AddWithValue("@" + p.Name, p.Value ?? DBNull.Value);
            if (fromVersion is not null)
            {
                cmd.Parameters.AddWithValue("@from", fromVersion.Value);
                cmd.Parameters.AddWithValue("@to", version);
            }
            // The command is owned by the reader's lifetime; SQLite commands hold no server resources.
            return await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// A filter through a parent reads the parent's changes and before-images: both must be kept, else the read
        /// would silently miss children that entered or left the filter.
        /// </summary>
        private static Task<IReadOnlySet<string>> BeforeImageColumnsAsync(SqliteConnection c, string table, SqliteTransaction t, CancellationToken ct)
            => SqliteBeforeImages.ColumnsAsync(c, t, table, ct);

        private async Task CheckParentsTrackedAsync(ExtractionQuery query, CancellationToken ct)
        {
            foreach (var parent in ParentFilters.ParentsOf(query))
            {
                await GetMinValidVersionAsync(parent, ct).ConfigureAwait(false);
                var needed = ParentFilters.BeforeImageColumnsOf(query, parent);
                if (needed.Count == 0) continue;
                var kept = await BeforeImageColumnsAsync(conn, parent.Name, tx, ct).ConfigureAwait(false);
                var missing = needed.Where(c => !kept.Contains(c)).ToList();
                if (missing.Count > 0)
                    throw new AsyncServerException(ErrorIds.ChangeTrackingNotEnabled, ErrorKind.InvalidOperation,
                        $"The filter of HQ table '{query.Table.Name}' goes through '{parent.Name}', " +
                        $"whose change tracking does not keep the previous values of {string.Join(", ", missing)}; " +
                        "run Enable-AsyncChangeTracking with this configuration.", parent.Name);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try { await tx.RollbackAsync().ConfigureAwait(false); } catch (InvalidOperationException) { }
            await tx.DisposeAsync().ConfigureAwait(false);
            await conn.DisposeAsync().ConfigureAwait(false);
        }
    }
}
