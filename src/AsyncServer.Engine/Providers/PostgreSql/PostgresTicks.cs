using System.Globalization;
using Npgsql;
using static AsyncServer.Providers.PostgreSql.PostgresTrackingSchema;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Versions on PostgreSQL are ticks: a row of async_ct.ticks holding a pg_current_snapshot(). Tick creation
/// holds an advisory lock from before the snapshot is taken until the tick row commits, so a higher tick id
/// always stands for a later snapshot (snapshots only ever grow: what one sees, every later one sees).
/// </summary>
internal static class PostgresTicks
{
    private static readonly string Lock = $"SELECT pg_catalog.pg_advisory_xact_lock({TickLockKey})";

    /// <summary>
    /// A tick for the snapshot of the current statement, inside the caller's READ COMMITTED transaction (used
    /// while enabling and cleaning up, where the caller's own statements define what the tick covers).
    /// </summary>
    public static async Task<long> CreateHereAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await PostgresConnections.ExecuteAsync(conn, Lock, ct, tx).ConfigureAwait(false);
        return Convert.ToInt64(await PostgresConnections.ScalarAsync(conn,
            $"INSERT INTO {Ticks} (snapshot) VALUES (pg_catalog.pg_current_snapshot()) RETURNING tick_id", ct, tx).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Begins a REPEATABLE READ transaction on <paramref name="reader"/> whose snapshot is the one recorded as
    /// the new tick. The tick row is written and committed through <paramref name="writer"/> while the lock
    /// is held, so it is visible to other runs at once while the reader keeps its snapshot open.
    /// </summary>
    public static async Task<(NpgsqlTransaction ReaderTx, long Tick, string Snapshot)> BeginSnapshotAsync(
        NpgsqlConnection reader, NpgsqlConnection writer, CancellationToken ct)
    {
        await using var writerTx = await writer.BeginTransactionAsync(ct).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(writer, Lock, ct, writerTx).ConfigureAwait(false);
        var readerTx = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        try
        {
            // The first statement of a REPEATABLE READ transaction fixes its snapshot; pg_current_snapshot() reports exactly that one.
            await PostgresConnections.ExecuteAsync(reader, "SET TRANSACTION READ ONLY", ct, readerTx).ConfigureAwait(false);
            var snapshot = (string)(await PostgresConnections.ScalarAsync(reader, "SELECT pg_catalog.pg_current_snapshot()::text", ct, readerTx)
                .ConfigureAwait(false))!;
            var tick = Convert.ToInt64(await PostgresConnections.ScalarAsync(writer,
                $"INSERT INTO {Ticks} (snapshot) VALUES (@s::pg_snapshot) RETURNING tick_id", ct, writerTx, ("s", snapshot)).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
            await writerTx.CommitAsync(ct).ConfigureAwait(false);
            return (readerTx, tick, snapshot);
        }
        catch
        {
            await readerTx.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
