using System.Data;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// Opens SQL Server connections the same way everywhere and runs commands with parameters only. Errors that
/// reach the caller name the connection by <see cref="ResolvedConnection.Display"/>, never the raw string.
/// </summary>
internal static class SqlServerConnections
{
    /// <summary>Seconds a message-store or catalog command may wait (lock waits included) before it fails.</summary>
    public const int CommandTimeoutSeconds = 120;

    public static async Task<SqlConnection> OpenAsync(ResolvedConnection connection, CancellationToken cancellationToken)
    {
        SqlConnection conn;
        try
        {
            var builder = new SqlConnectionStringBuilder(connection.ConnectionString);
            if (string.IsNullOrEmpty(builder.ApplicationName) || builder.ApplicationName == "Core Microsoft SqlClient Data Provider")
                builder.ApplicationName = "AsyncServer";
            conn = new SqlConnection(builder.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new AsyncServerException(ErrorIds.ConnectionFailed, ErrorKind.InvalidArgument,
                $"The SQL Server connection string of {connection.Display} is not valid: {connection.Scrub(ex.Message)}", connection.Display, ex);
        }
        try
        {
            await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
            return conn;
        }
        catch (SqlException ex)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new AsyncServerException(ErrorIds.ConnectionFailed, ErrorKind.ConnectionError,
                $"Cannot open SQL Server database {connection.Display}: {connection.Scrub(ex.Message)}", connection.Display, ex);
        }
    }

    public static SqlCommand Command(SqlConnection conn, string sql, SqlTransaction? tx, params (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.CommandTimeout = CommandTimeoutSeconds;
        foreach (var (name, value) in parameters) cmd.Parameters.Add(Parameter(name, value));
        return cmd;
    }

    /// <summary>A typed parameter: strings as nvarchar (max length when long), times as datetime2, so plans are reused.</summary>
    public static SqlParameter Parameter(string name, object? value)
    {
        var p = new SqlParameter(name, value ?? DBNull.Value);
        switch (value)
        {
            case string s:
                p.SqlDbType = SqlDbType.NVarChar;
                p.Size = s.Length <= 4000 ? 4000 : -1;
                break;
            case DateTime:
                p.SqlDbType = SqlDbType.DateTime2;
                break;
            case null:
                p.SqlDbType = SqlDbType.NVarChar;
                p.Size = 4000;
                break;
        }
        return p;
    }

    public static Task<int> ExecuteAsync(
        SqlConnection conn, string sql, CancellationToken ct, SqlTransaction? tx = null, params (string Name, object? Value)[] parameters)
        => DbCommands.ExecuteAsync(Command(conn, sql, tx, parameters), ct);

    public static Task<object?> ScalarAsync(
        SqlConnection conn, string sql, CancellationToken ct, SqlTransaction? tx = null, params (string Name, object? Value)[] parameters)
        => DbCommands.ScalarAsync(Command(conn, sql, tx, parameters), ct);
}
