using AsyncServer.Data;
using Npgsql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Finds tables and their columns in pg_catalog. Names from configuration are matched exactly first, then
/// case-insensitively (so the AX spelling CUSTTABLE finds the folded custtable); an unqualified name
/// follows the search_path. What comes back is spelled as the catalog spells it, ready for quoting.
/// </summary>
internal static class PostgresCatalog
{
    public sealed record Table(uint Oid, TableSchema Schema);

    private const string FindSql = """
        SELECT c.oid, n.nspname, c.relname
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND lower(c.relname) = lower(@name)
          AND (CASE WHEN @schema IS NULL THEN n.nspname = ANY (pg_catalog.current_schemas(false))
                    ELSE lower(n.nspname) = lower(@schema) END)
        ORDER BY (c.relname = @name) DESC, (n.nspname = coalesce(@schema, n.nspname)) DESC,
                 array_position(pg_catalog.current_schemas(false), n.nspname::text)
        LIMIT 1
        """;

    private const string ColumnsSql = """
        SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END, a.attnotnull,
               coalesce((SELECT k.ord FROM pg_catalog.pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                         WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.attnum = a.attnum), 0)
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
        WHERE a.attrelid = @oid AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    public static async Task<Table?> DescribeAsync(NpgsqlConnection conn, string table, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var name = QualifiedName.Parse(table);
        uint oid;
        string schemaName, tableName;
        await using (var cmd = PostgresConnections.Command(conn, FindSql, tx, ("name", name.Name)))
        {
            cmd.Parameters.Add(new NpgsqlParameter("schema", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)name.Schema ?? DBNull.Value });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
            oid = reader.GetFieldValue<uint>(0);
            schemaName = reader.GetString(1);
            tableName = reader.GetString(2);
        }
        var columns = new List<ColumnSchema>();
        await using (var cmd = PostgresConnections.Command(conn, ColumnsSql, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter("oid", NpgsqlTypes.NpgsqlDbType.Oid) { Value = oid });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var type = PostgresTypes.FromCatalog(reader.GetString(2));
                columns.Add(new ColumnSchema(reader.GetString(0), type, reader.GetString(1), !reader.GetBoolean(3), (int)reader.GetInt64(4)));
            }
        }
        return new Table(oid, new TableSchema(schemaName, tableName, columns));
    }

    /// <summary>The quoted, schema-qualified name of a described table.</summary>
    public static string Quote(TableSchema table)
        => SqlDialect.PostgreSql.Quote(new QualifiedName(string.IsNullOrEmpty(table.Schema) ? null : table.Schema, table.Name));
}
