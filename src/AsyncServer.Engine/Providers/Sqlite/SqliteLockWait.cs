using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// What happens when a SQLite database is locked by another process (issue 12, point 15). SQLite used to wait up
/// to 60 seconds in silence and then fail with a raw "SQLite Error 5: 'database is locked'" (UnexpectedError).
/// When a connection opens on a locked database, it names the database and says it is waiting (through the ambient
/// notice callback a front end sets with <see cref="BeginScope"/>: Verbose in PowerShell), waits up to the
/// connection's timeout, and <see cref="Translate"/> turns the driver's final error into
/// <see cref="ErrorIds.DatabaseLocked"/> with the database and a hint.
/// </summary>
public static class SqliteLockWait
{
    /// <summary>What one front-end call sees: where notices go, and the database a wait gave up on.</summary>
    public sealed class Scope : IDisposable
    {
        internal Scope(Action<string>? notice, Scope? outer) { Notice = notice; Outer = outer; }
        internal Action<string>? Notice { get; }
        internal Scope? Outer { get; }
        /// <summary>The database last found locked; read by <see cref="Translate"/>.</summary>
        internal volatile string? GaveUpOn;
        /// <summary>The databases already said to be locked in this scope: a command opening several connections says it once.</summary>
        internal readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Noticed = new(StringComparer.Ordinal);
        public void Dispose() => Current.Value = Outer;
    }

    private static readonly AsyncLocal<Scope?> Current = new();

    /// <summary>Opens a scope for one command; engine work started after this (Task.Run included) reports into it.</summary>
    public static Scope BeginScope(Action<string>? notice) => Current.Value = new Scope(notice, Current.Value);

    /// <summary>
    /// Sets how long the connection waits for a lock. When a front end listens, first checks without waiting whether
    /// another connection holds the write lock: then it says which database is locked and that it is waiting, and
    /// remembers it for the error should the wait end. (Microsoft.Data.Sqlite offers no busy callback to say it later.)
    /// </summary>
    internal static async Task InstallAsync(SqliteConnection conn, ResolvedConnection connection, TimeSpan timeout, CancellationToken ct)
    {
        var scope = Current.Value;
        if (scope?.Notice is not null)
        {
            await SqliteConnections.ExecuteAsync(conn, "PRAGMA busy_timeout = 0;", ct).ConfigureAwait(false);
            try
            {
                await using var probe = conn.CreateCommand();
                probe.CommandText = "BEGIN IMMEDIATE; ROLLBACK;";
                probe.CommandTimeout = 1; // the driver retries a busy statement until its command timeout
                await probe.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is raw.SQLITE_BUSY or raw.SQLITE_LOCKED)
            {
                scope.GaveUpOn = connection.Display;
                // Accurate for every role: in WAL mode a reader does not wait, a writer does.
                if (scope.Noticed.TryAdd(connection.Display, 0))
                    scope.Notice($"SQLite database {connection.Display} is locked by another writer (process or connection); " +
                                 $"statements that write are waiting up to {timeout.TotalSeconds:0} s for it.");
            }
            catch (SqliteException)
            {
                // A read-only file or similar: not a lock, and not this check's business.
            }
        }
        await SqliteConnections.ExecuteAsync(conn, $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds};", ct).ConfigureAwait(false);
    }

    /// <summary>A driver error for a locked database becomes DatabaseLocked naming it; anything else is returned as it is.</summary>
    public static Exception Translate(Exception ex)
    {
        if (ex is not SqliteException { SqliteErrorCode: raw.SQLITE_BUSY or raw.SQLITE_LOCKED } sqlite) return ex;
        var database = Current.Value?.GaveUpOn ?? "(a SQLite database of this configuration)";
        return new AsyncServerException(ErrorIds.DatabaseLocked, ErrorKind.ResourceBusy,
            $"SQLite database {database} stayed locked by another process or connection, and the wait for it ended. " +
            "Hint: a long Start-AsyncDistribution, Receive-AsyncPackage or Move-AsyncStatusMessage, the service, or a tool holding a " +
            "transaction open (a DB browser) may hold it; try again when it is done. " +
            "SQLite suits one server; for several instances use PostgreSQL or SQL Server.",
            database, sqlite);
    }
}
