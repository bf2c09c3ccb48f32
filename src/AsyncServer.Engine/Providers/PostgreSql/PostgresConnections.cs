using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Npgsql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Opens Npgsql connections the same way everywhere and runs small commands. Connection failures become
/// ConnectionFailed naming the redacted connection, never the password.
/// </summary>
internal static class PostgresConnections
{
    /// <param name="readBufferSize">
    /// For connections that stream a whole table (the HQ snapshot's COPY): a larger socket read buffer than Npgsql's
    /// 8 KB default, so the stream costs fewer system calls and thread hand-offs. A size set in the connection string wins.
    /// </param>
    public static async Task<NpgsqlConnection> OpenAsync(ResolvedConnection connection, CancellationToken cancellationToken, int? readBufferSize = null)
    {
        NpgsqlConnection? conn = null;
        try
        {
            var connectionString = connection.ConnectionString;
            if (readBufferSize is { } size)
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                if (!builder.ContainsKey("Read Buffer Size")) builder.ReadBufferSize = size;
                connectionString = builder.ConnectionString;
            }
            conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
            return conn;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            if (conn is not null) await conn.DisposeAsync().ConfigureAwait(false);
            throw new AsyncServerException(ErrorIds.ConnectionFailed, ErrorKind.ConnectionError,
                $"Cannot open PostgreSQL database {connection.Display}: {connection.Scrub(ex.Message)}", connection.Display, ex);
        }
    }

    public static NpgsqlCommand Command(NpgsqlConnection conn, string sql, NpgsqlTransaction? tx, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var (name, value) in parameters) cmd.Parameters.Add(Parameter(name, value));
        return cmd;
    }

    /// <summary>Timestamps go to PostgreSQL as UTC (timestamptz refuses other offsets).</summary>
    public static NpgsqlParameter Parameter(string name, object? value) => value switch
    {
        DateTimeOffset dto => new NpgsqlParameter(name, dto.ToUniversalTime()),
        null => new NpgsqlParameter(name, DBNull.Value),
        _ => new NpgsqlParameter(name, value),
    };

    public static Task<int> ExecuteAsync(
        NpgsqlConnection conn, string sql, CancellationToken ct, NpgsqlTransaction? tx = null, params (string Name, object? Value)[] parameters)
        => DbCommands.ExecuteAsync(Command(conn, sql, tx, parameters), ct);

    public static Task<object?> ScalarAsync(
        NpgsqlConnection conn, string sql, CancellationToken ct, NpgsqlTransaction? tx = null, params (string Name, object? Value)[] parameters)
        => DbCommands.ScalarAsync(Command(conn, sql, tx, parameters), ct);

    /// <summary>SQLSTATE 3F000 (no such schema) or 42P01 (no such table): the objects we look for are not installed.</summary>
    public static bool IsMissingObject(PostgresException ex) => ex.SqlState is "3F000" or "42P01";
}
