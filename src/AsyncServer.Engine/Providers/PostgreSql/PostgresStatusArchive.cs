using AsyncServer.Data;
using AsyncServer.Messaging;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// The HQ status tables on PostgreSQL: ASYNCSTATUSMESSAGE (one row per message) and ASYNCSESSIONSTATUS (latest
/// status per session and channel database), unquoted, so PostgreSQL folds them to lower case like any table
/// created without quotes; each batch is written with two set-based statements.
/// </summary>
public sealed class PostgresStatusArchive(ResolvedConnection connection) : IStatusArchive
{
    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS ASYNCSTATUSMESSAGE (
            MESSAGEID bigint NOT NULL PRIMARY KEY,
            SESSIONID bigint NOT NULL,
            PARTITIONID varchar(100),
            JOBID varchar(100),
            DATAGROUP varchar(100),
            CHANNELDATABASE varchar(100) NOT NULL,
            STATUS varchar(20) NOT NULL,
            MESSAGE varchar(4000),
            CREATEDDATETIME timestamptz NOT NULL,
            MOVEDDATETIME timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS IX_ASYNCSTATUSMESSAGE_SESSION ON ASYNCSTATUSMESSAGE (SESSIONID, CHANNELDATABASE);
        CREATE TABLE IF NOT EXISTS ASYNCSESSIONSTATUS (
            SESSIONID bigint NOT NULL,
            CHANNELDATABASE varchar(100) NOT NULL,
            PARTITIONID varchar(100),
            JOBID varchar(100),
            DATAGROUP varchar(100),
            STATUS varchar(20) NOT NULL,
            MESSAGE varchar(4000),
            UPDATEDDATETIME timestamptz NOT NULL,
            LASTMESSAGEID bigint NOT NULL,
            PRIMARY KEY (SESSIONID, CHANNELDATABASE));
        """;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await using var conn = await PostgresConnections.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Serialized: concurrent CREATE ... IF NOT EXISTS can still collide in the catalog.
        await PostgresConnections.ExecuteAsync(conn, $"SELECT pg_catalog.pg_advisory_xact_lock({PostgresTrackingSchema.DdlLockKey})", cancellationToken, tx).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn, Ddl, cancellationToken, tx).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> WriteAsync(IReadOnlyList<StatusMessageRecord> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return 0;
        await using var conn = await PostgresConnections.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        (string, object?)[] batch =
        [
            ("id", messages.Select(m => m.Id).ToArray()),
            ("s", messages.Select(m => m.SessionId).ToArray()),
            ("p", messages.Select(m => m.Partition).ToArray()),
            ("j", messages.Select(m => m.JobId).ToArray()),
            ("g", messages.Select(m => m.DataGroup).ToArray()),
            ("c", messages.Select(m => m.ChannelDatabase ?? "").ToArray()),
            ("st", messages.Select(m => m.Status.ToString()).ToArray()),
            ("m", messages.Select(m => m.Message).ToArray()),
            ("at", messages.Select(m => m.CreatedAt.ToUniversalTime()).ToArray()),
            ("moved", DateTimeOffset.UtcNow),
        ];
        const string rows = "SELECT * FROM unnest(@id::bigint[], @s::bigint[], @p::text[], @j::text[], @g::text[], @c::text[], @st::text[], @m::text[], @at::timestamptz[]) " +
                            "AS b(id, s, p, j, g, c, st, m, at)";
        var inserted = await PostgresConnections.ExecuteAsync(conn,
            "INSERT INTO ASYNCSTATUSMESSAGE (MESSAGEID, SESSIONID, PARTITIONID, JOBID, DATAGROUP, CHANNELDATABASE, STATUS, MESSAGE, CREATEDDATETIME, MOVEDDATETIME) " +
            $"SELECT id, s, p, j, g, c, st, m, at, @moved FROM ({rows}) b ON CONFLICT (MESSAGEID) DO NOTHING",
            cancellationToken, tx, batch).ConfigureAwait(false);
        // The latest message of each (session, channel database) wins, whatever order batches arrive in.
        await PostgresConnections.ExecuteAsync(conn,
            "INSERT INTO ASYNCSESSIONSTATUS (SESSIONID, CHANNELDATABASE, PARTITIONID, JOBID, DATAGROUP, STATUS, MESSAGE, UPDATEDDATETIME, LASTMESSAGEID) " +
            $"SELECT DISTINCT ON (s, c) s, c, p, j, g, st, m, at, id FROM ({rows}) b ORDER BY s, c, id DESC " +
            "ON CONFLICT (SESSIONID, CHANNELDATABASE) DO UPDATE SET STATUS = EXCLUDED.STATUS, MESSAGE = EXCLUDED.MESSAGE, " +
            "UPDATEDDATETIME = EXCLUDED.UPDATEDDATETIME, LASTMESSAGEID = EXCLUDED.LASTMESSAGEID " +
            "WHERE EXCLUDED.LASTMESSAGEID > ASYNCSESSIONSTATUS.LASTMESSAGEID",
            cancellationToken, tx, batch).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
