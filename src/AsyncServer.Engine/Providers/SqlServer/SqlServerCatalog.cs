using System.Globalization;
using AsyncServer.Data;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>A table as sys.tables/sys.columns describe it, with what writing to it needs beyond <see cref="TableSchema"/>.</summary>
internal sealed record SqlServerTable(TableSchema Schema, IReadOnlySet<string> IdentityColumns, IReadOnlySet<string> ComputedColumns);

/// <summary>Reads table definitions from the catalog. Names are matched as the database collation compares them.</summary>
internal static class SqlServerCatalog
{
    /// <summary>
    /// <paramref name="table"/> is <c>TABLE</c> (in the caller's default schema) or <c>schema.TABLE</c>, as in the
    /// configuration. Null when no such table exists.
    /// </summary>
    public static Task<SqlServerTable?> DescribeAsync(SqlConnection conn, string table, CancellationToken ct, SqlTransaction? tx = null)
        => DescribeAsync(conn, QualifiedName.Parse(table), ct, tx);

    /// <summary>For names the catalog gave us: the schema is taken as is, even if it contains a dot.</summary>
    public static async Task<SqlServerTable?> DescribeAsync(SqlConnection conn, QualifiedName name, CancellationToken ct, SqlTransaction? tx = null)
    {
        await using var cmd = SqlServerConnections.Command(conn, SqlServerSql.DescribeTable, tx, ("@schema", name.Schema), ("@name", name.Name));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        string? schema = null, catalogName = null;
        var columns = new List<ColumnSchema>();
        var identity = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var computed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            schema = reader.GetString(0);
            catalogName = reader.GetString(1);
            var column = reader.GetString(2);
            var type = reader.GetString(3);
            var declared = SqlServerTypes.Declared(type, reader.GetInt16(4), reader.GetByte(5), reader.GetByte(6));
            columns.Add(new ColumnSchema(column, SqlServerTypes.FromSystemType(type), declared, reader.GetBoolean(7),
                Convert.ToInt32(reader.GetValue(10), CultureInfo.InvariantCulture)));
            if (reader.GetBoolean(8)) computed.Add(column);
            if (reader.GetBoolean(9)) identity.Add(column);
        }
        return catalogName is null ? null : new SqlServerTable(new TableSchema(schema!, catalogName, columns), identity, computed);
    }
}
