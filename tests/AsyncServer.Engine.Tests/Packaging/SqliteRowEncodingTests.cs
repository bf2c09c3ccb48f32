using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using AsyncServer.Data;
using AsyncServer.Packaging;
using AsyncServer.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Tests.Packaging;

/// <summary>
/// The SQLite change source reads integers, timestamps and GUIDs with one GetValue (SqliteValueShortcut) where
/// RowCodec's general path takes IsDBNull, GetFieldType and a getter. SQLite keeps whatever storage class a value
/// was written with, so the shortcut must give the bytes of the general path for every storage class, and refuse
/// what the general path refuses.
/// </summary>
public sealed class SqliteRowEncodingTests : IDisposable
{
    private readonly TempFolder _folder = new("sqlite-rows");

    private static readonly LogicalType[] Types = [LogicalType.Int64, LogicalType.Int32, LogicalType.DateTime, LogicalType.Guid, LogicalType.String];

    private SqliteConnection Open()
    {
        var conn = new SqliteConnection($"Data Source={_folder.File("hq.db")}");
        conn.Open();
        return conn;
    }

    private static void Execute(SqliteConnection conn, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    private static string Encode(DbDataReader reader, bool shortcut)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output, RowCodec.WriterOptions))
            RowCodec.WriteRow(json, reader, Types, [0], shortcut ? Providers.Sqlite.SqliteValueShortcut.Instance : null);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Both paths for each row: with the SQLite shortcut, and RowCodec's general path alone.</summary>
    private List<(string Sqlite, string General)> EncodeBoth()
    {
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT 1, ID, N, AT, G, T FROM ROWS ORDER BY rowid";
        var rows = new List<(string, string)>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) rows.Add((Encode(reader, shortcut: true), Encode(reader, shortcut: false)));
        return rows;
    }

    [Fact]
    public void Every_storage_class_encodes_as_the_general_path_does()
    {
        using (var conn = Open())
        {
            Execute(conn, "CREATE TABLE ROWS (ID BIGINT, N INT, AT DATETIME, G UNIQUEIDENTIFIER, T TEXT)");
            var guid = Guid.Parse("8f6a2c1e-0b9d-4e57-9c3a-2d1f0e6b7a55");
            Execute(conn, "INSERT INTO ROWS VALUES (1, 2, '2024-02-29 23:59:59.1234567', @g, 'x')", ("@g", guid.ToString()));
            Execute(conn, "INSERT INTO ROWS VALUES (@id, -7, '2024-02-29T23:59:59', @g, NULL)", ("@id", long.MinValue), ("@g", guid.ToByteArray()));
            Execute(conn, "INSERT INTO ROWS VALUES (3, NULL, NULL, NULL, 'nulls')");
            // Other storage classes: a real in an integer column, a numeric-looking text, a timestamp as a julian day
            // number, a GUID in braces: the general path converts them, so the shortcut must hand them over.
            Execute(conn, "INSERT INTO ROWS VALUES (4, CAST('12' AS TEXT), 2460000.5, '{8f6a2c1e-0b9d-4e57-9c3a-2d1f0e6b7a55}', 'other')");
            Execute(conn, "INSERT INTO ROWS VALUES (5, 2.75, '2024-01-01', @g, 'date only')", ("@g", guid.ToString("N")));
        }
        var rows = EncodeBoth();
        Assert.Equal(5, rows.Count);
        foreach (var (sqlite, general) in rows) Assert.Equal(general, sqlite);
        Assert.Equal("[\"U\",1,2,\"2024-02-29T23:59:59.1234567\",\"8f6a2c1e-0b9d-4e57-9c3a-2d1f0e6b7a55\",\"x\"]", rows[0].Sqlite);
        Assert.Equal("[\"U\",3,null,null,null,\"nulls\"]", rows[2].Sqlite);
    }

    [Fact]
    public void Text_that_is_not_a_number_in_an_integer_column_is_refused_as_before()
    {
        using (var conn = Open())
        {
            Execute(conn, "CREATE TABLE ROWS (ID BIGINT, N INT, AT DATETIME, G UNIQUEIDENTIFIER, T TEXT)");
            Execute(conn, "INSERT INTO ROWS VALUES (1, 'abc', NULL, NULL, NULL)");
        }
        using var read = Open();
        using var cmd = read.CreateCommand();
        cmd.CommandText = "SELECT 1, ID, N, AT, G, T FROM ROWS";
        using var reader = cmd.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Throws<FormatException>(() => Encode(reader, shortcut: true));
        Assert.Throws<FormatException>(() => Encode(reader, shortcut: false));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
