using System.Data.Common;
using AsyncServer.Data;
using Npgsql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// A PostgreSQL message connection for a process that runs the same few short statements very often (the endpoint: a
/// credential read and a listing per store poll). Settings the connection string names itself are kept:
/// - a statement is prepared after a few uses (Max Auto Prepare), so the server parses and plans it once per pooled
///   connection, not on every poll;
/// - a connection going back to the pool is not reset (No Reset On Close): the reset is seven statements the server runs
///   before the next use, more work than a poll's own. Nothing the engine runs on the message database leaves session
///   state behind: its locks are transaction locks, its settings SET LOCAL, and an open transaction is still rolled back;
/// - the pool holds at most <see cref="PoolSize"/> connections (Npgsql's default is 100): a poll's statements take a
///   fraction of a millisecond, and a hundred server processes taking turns on a few cores cost more in switching than
///   they add (PostgreSQL CPU per poll about a quarter lower with 12; docs/benchmarks.md). A request finding every
///   connection busy waits for one (the connection timeout) instead of adding a server process.
/// </summary>
internal static class PostgresFrequentStatements
{
    /// <summary>Eight connections per processor, at least 16.</summary>
    public static int PoolSize => Math.Max(16, 8 * Environment.ProcessorCount);

    public static ResolvedConnection Tune(ResolvedConnection connection)
    {
        // Npgsql's builder says whether it knows a keyword, not whether the text sets it: look at the text's own keys.
        var given = new DbConnectionStringBuilder { ConnectionString = connection.ConnectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
        if (!given.Contains("MaxAutoPrepare")) builder.MaxAutoPrepare = 32;
        if (!given.Contains("NoResetOnClose")) builder.NoResetOnClose = true;
        if (!given.Contains("MaximumPoolSize") && !given.Contains("MaxPoolSize")) builder.MaxPoolSize = PoolSize;
        return connection.WithConnectionString(builder.ConnectionString);
    }
}
