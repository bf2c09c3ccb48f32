using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>Opens SQLite connections the same way everywhere: existing files only unless asked, a busy timeout, foreign keys on.</summary>
internal static class SqliteConnections
{
    public static async Task<SqliteConnection> OpenAsync(ResolvedConnection connection, bool create, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connection.ConnectionString);
        if (!create && builder.Mode == SqliteOpenMode.ReadWriteCreate)
            builder.Mode = SqliteOpenMode.ReadWrite;
        // 60 s unless the connection string names its own timeout (Default Timeout=...), as a test or an impatient operator may.
        var timeoutGiven = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connection.ConnectionString }.ContainsKey("Default Timeout")
            || new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connection.ConnectionString }.ContainsKey("Command Timeout");
        if (!timeoutGiven && builder.DefaultTimeout < 60) builder.DefaultTimeout = 60;
        builder.Pooling = false; // pooled handles would keep files locked after a test or a run ends
        var file = builder.DataSource;
        if (!create && !string.IsNullOrEmpty(file) && file != ":memory:" && !File.Exists(file))
            throw new AsyncServerException(ErrorIds.ConnectionFailed, ErrorKind.ObjectNotFound,
                $"SQLite database '{file}' does not exist.", file);
        if (create && !string.IsNullOrEmpty(file) && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir)
            Directory.CreateDirectory(dir);

        var conn = new SqliteConnection(builder.ConnectionString);
        try
        {
            await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(conn, "PRAGMA foreign_keys = ON;", cancellationToken).ConfigureAwait(false);
            await SqliteLockWait.InstallAsync(conn, connection, TimeSpan.FromSeconds(Math.Max(builder.DefaultTimeout, 1)), cancellationToken)
                .ConfigureAwait(false);
            return conn;
        }
        catch (SqliteException ex)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new AsyncServerException(ErrorIds.ConnectionFailed, ErrorKind.ConnectionError,
                $"Cannot open SQLite database {connection.Display}: {connection.Scrub(ex.Message)}", connection.Display, ex);
        }
    }

    /// <summary>The file a SQLite connection names, or null (a connection string without a data source).</summary>
    public static string? FileOf(ResolvedConnection connection)
    {
        var builder = new SqliteConnectionStringBuilder(connection.ConnectionString);
        return string.IsNullOrEmpty(builder.DataSource) ? null : builder.DataSource;
    }

    /// <summary>True when the connection names a file that does not exist yet (not :memory: nor a URI).</summary>
    public static bool IsMissingFile(ResolvedConnection connection)
        => FileOf(connection) is { } file && file != ":memory:" && !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && !File.Exists(file);

    public static Task<int> ExecuteAsync(
        SqliteConnection conn, string sql, CancellationToken ct, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
        => DbCommands.ExecuteAsync(Command(conn, sql, tx, parameters), ct);

    public static Task<object?> ScalarAsync(
        SqliteConnection conn, string sql, CancellationToken ct, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
        => DbCommands.ScalarAsync(Command(conn, sql, tx, parameters), ct);

    private static SqliteCommand Command(SqliteConnection conn, string sql, SqliteTransaction? tx, (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }
}
