using System.Data.Common;
using AsyncServer.Data;
using AsyncServer.Packaging;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// A channel database on SQLite. A package is applied in one IMMEDIATE transaction: tables to empty first,
/// then per table upserts by key (INSERT ... ON CONFLICT DO UPDATE when the table's primary key is the
/// package's key, else an UPDATE by key followed by an INSERT when the key is absent, which needs no unique
/// index; both keep channel-only columns), and deletes by key. A missing table is created from the
/// manifest; an existing table must have every manifest column, else nothing is applied.
/// </summary>
internal sealed class SqliteChannelTarget(ResolvedConnection connection) : SqlChannelTarget<TableSchema>(connection)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override bool IsMissing => SqliteConnections.IsMissingFile(Connection);

    protected override async Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken)
        => await SqliteConnections.OpenAsync(Connection, create, cancellationToken).ConfigureAwait(false);

    protected override Task<TableSchema?> DescribeAsync(DbConnection conn, DbTransaction? tx, string table, CancellationToken cancellationToken)
        => SqliteChangeSource.DescribeAsync((SqliteConnection)conn, table, cancellationToken, (SqliteTransaction?)tx);

    protected override bool IsDatabaseError(Exception exception) => exception is SqliteException;

    protected override string NameOf(TableSchema plan) => plan.Name;

    protected override async Task<TableSchema> PrepareAsync(ApplyStep step, PackageTable table)
    {
        var (conn, tx, ct) = ((SqliteConnection)step.Connection, (SqliteTransaction)step.Transaction, step.CancellationToken);
        var schema = await SqliteChangeSource.DescribeAsync(conn, table.ChannelTable, ct, tx).ConfigureAwait(false);
        if (schema is null)
        {
            var q = SqlDialect.Sqlite;
            var columns = table.Columns.Select(c =>
                $"{q.Quote(c.Name)} {SqliteTypes.ToDeclared(c.Type)}{(c.Nullable && !table.KeyColumns.Contains(c.Name) ? "" : " NOT NULL")}");
            var ddl = $"CREATE TABLE {q.Quote(QualifiedName.Parse(table.ChannelTable).Name)} ({string.Join(", ", columns)}, " +
                      $"PRIMARY KEY ({string.Join(", ", table.KeyColumns.Select(q.Quote))}))";
            await SqliteConnections.ExecuteAsync(conn, ddl, ct, tx).ConfigureAwait(false);
            return (await SqliteChangeSource.DescribeAsync(conn, table.ChannelTable, ct, tx).ConfigureAwait(false))!;
        }
        RequireColumns(schema, schema.Name, table, step.Package.Manifest.SessionId);
        return schema;
    }

    protected override async Task<string?> EmptyAsync(ApplyStep step, string table)
    {
        var (conn, tx, ct) = ((SqliteConnection)step.Connection, (SqliteTransaction)step.Transaction, step.CancellationToken);
        var schema = await SqliteChangeSource.DescribeAsync(conn, table, ct, tx).ConfigureAwait(false);
        if (schema is null) return null; // nothing to empty
        await SqliteConnections.ExecuteAsync(conn, $"DELETE FROM {SqlDialect.Sqlite.Quote(schema.Name)}", ct, tx).ConfigureAwait(false);
        return schema.Name;
    }

    protected override Task<(long Upserted, long Deleted)> ApplyTableAsync(ApplyStep step, PackageTable table, TableSchema plan, int index)
        => ApplyTableAsync((SqliteConnection)step.Connection, (SqliteTransaction)step.Transaction, step.Package, table, plan, step.CancellationToken);

    private static async Task<(long Upserted, long Deleted)> ApplyTableAsync(SqliteConnection conn, SqliteTransaction tx, PackageReader package,
        PackageTable table, TableSchema schema, CancellationToken ct)
    {
        var q = SqlDialect.Sqlite;
        var target = q.Quote(schema.Name);
        // Catalog spellings of the manifest's columns: only checked names reach SQL text.
        var names = table.Columns.Select(c => q.Quote(schema.Find(c.Name)!.Name)).ToArray();
        var keyIndexes = table.KeyColumns.Select(k => table.Columns.FindIndex(c => c.Name == k)).ToArray();
        var nonKeyIndexes = Enumerable.Range(0, table.Columns.Count).Where(i => !keyIndexes.Contains(i)).ToArray();
        var keyMatch = string.Join(" AND ", keyIndexes.Select(i => $"{names[i]} IS @p{i}"));

        // When the channel table's primary key is exactly the package's key and NOT NULL (always so for tables
        // created from a manifest), one INSERT ... ON CONFLICT DO UPDATE per row does the upsert; it sets only the
        // package's columns, so channel-only columns are kept. Otherwise: UPDATE by key, then INSERT if absent.
        var primaryKey = schema.PrimaryKey;
        var oneStatement = primaryKey.Count == keyIndexes.Length && primaryKey.All(c => !c.Nullable)
            && keyIndexes.All(i => primaryKey.Any(c => string.Equals(c.Name, table.Columns[i].Name, StringComparison.OrdinalIgnoreCase)));
        var onConflict = $" ON CONFLICT ({string.Join(", ", keyIndexes.Select(i => names[i]))}) DO " +
                         (nonKeyIndexes.Length == 0
                             ? "NOTHING"
                             : "UPDATE SET " + string.Join(", ", nonKeyIndexes.Select(i => $"{names[i]} = excluded.{names[i]}")));
        await using var update = Command(conn, tx, oneStatement || nonKeyIndexes.Length == 0 ? null :
            $"UPDATE {target} SET {string.Join(", ", nonKeyIndexes.Select(i => $"{names[i]} = @p{i}"))} WHERE {keyMatch}", table.Columns.Count);
        await using var insert = Command(conn, tx, oneStatement
            ? $"INSERT INTO {target} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select((_, i) => $"@p{i}"))}){onConflict}"
            : $"INSERT INTO {target} ({string.Join(", ", names)}) SELECT {string.Join(", ", names.Select((_, i) => $"@p{i}"))} " +
              $"WHERE NOT EXISTS (SELECT 1 FROM {target} WHERE {keyMatch})", table.Columns.Count);
        await using var delete = Command(conn, tx, $"DELETE FROM {target} WHERE {keyMatch}", table.Columns.Count);

        long upserted = 0, deleted = 0;
        await foreach (var row in package.ReadRowsAsync(table, ct).ConfigureAwait(false))
        {
            if (row.Upsert)
            {
                for (var i = 0; i < row.Values.Length; i++) insert!.Parameters[i].Value = ToDb(row.Values[i]);
                var changed = 0;
                if (update is not null)
                {
                    for (var i = 0; i < row.Values.Length; i++) update.Parameters[i].Value = ToDb(row.Values[i]);
                    changed = await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                if (changed == 0) await insert!.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                upserted++;
            }
            else
            {
                foreach (var i in keyIndexes) delete!.Parameters[i].Value = ToDb(row.Values[i]);
                await delete!.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                deleted++;
            }
        }
        return (upserted, deleted);
    }

    /// <summary>A command with parameters @p0..@pN in index order (SQLite ignores those a statement does not use).</summary>
    private static SqliteCommand? Command(SqliteConnection conn, SqliteTransaction tx, string? sql, int parameterCount)
    {
        if (sql is null) return null;
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        for (var i = 0; i < parameterCount; i++) cmd.Parameters.Add(new SqliteParameter($"@p{i}", DBNull.Value));
        return cmd;
    }

    /// <summary>GUIDs are stored as text on SQLite (as the HQ side keeps them); everything else binds as is.</summary>
    private static object ToDb(object? value) => value switch
    {
        null => DBNull.Value,
        Guid g => ValueText.Format(g, LogicalType.Guid),
        _ => value,
    };

}
