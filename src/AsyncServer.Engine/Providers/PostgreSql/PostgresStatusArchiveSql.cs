using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// The HQ status tables on PostgreSQL: each batch is written with two set-based statements over arrays.
/// </summary>
internal sealed class PostgresStatusArchiveSql : PortableStatusArchiveSql
{
    public static readonly PostgresStatusArchiveSql Instance = new();

    /// <summary>Serialized: concurrent CREATE ... IF NOT EXISTS can still collide in the catalog.</summary>
    public override string LockCreate => $"SELECT pg_catalog.pg_advisory_xact_lock({PostgresTrackingSchema.DdlLockKey})";

    protected override string TimeType => "timestamptz";

    /// <summary>The batch as rows, from one array parameter per column.</summary>
    private const string Rows = "SELECT * FROM unnest(@id::bigint[], @s::bigint[], @p::text[], @j::text[], @g::text[], @c::text[], @st::text[], @m::text[], " +
                                "@at::timestamptz[]) AS b(id, s, p, j, g, c, st, m, at)";

    /// <summary>Every message of the batch that is new.</summary>
    public static string InsertBatch =>
        "INSERT INTO ASYNCSTATUSMESSAGE (MESSAGEID, SESSIONID, PARTITIONID, JOBID, DATAGROUP, CHANNELDATABASE, STATUS, MESSAGE, CREATEDDATETIME, " +
        "MOVEDDATETIME) " +
        $"SELECT id, s, p, j, g, c, st, m, at, @moved FROM ({Rows}) b ON CONFLICT (MESSAGEID) DO NOTHING";

    /// <summary>The latest message of each (session, channel database) in the batch, unless a later one is there.</summary>
    public static string UpsertBatch =>
        "INSERT INTO ASYNCSESSIONSTATUS (SESSIONID, CHANNELDATABASE, PARTITIONID, JOBID, DATAGROUP, STATUS, MESSAGE, UPDATEDDATETIME, LASTMESSAGEID) " +
        $"SELECT DISTINCT ON (s, c) s, c, p, j, g, st, m, at, id FROM ({Rows}) b ORDER BY s, c, id DESC " +
        "ON CONFLICT (SESSIONID, CHANNELDATABASE) DO UPDATE SET STATUS = EXCLUDED.STATUS, MESSAGE = EXCLUDED.MESSAGE, " +
        "UPDATEDDATETIME = EXCLUDED.UPDATEDDATETIME, LASTMESSAGEID = EXCLUDED.LASTMESSAGEID " +
        "WHERE EXCLUDED.LASTMESSAGEID > ASYNCSESSIONSTATUS.LASTMESSAGEID";

    /// <summary>The whole batch in two statements, each column bound as one array.</summary>
    public override async Task<int> WriteAsync(SqlWork work, IReadOnlyList<StatusMessageRecord> messages, DateTimeOffset moved)
    {
        (string, object?)[] batch =
        [
            ("@id", messages.Select(m => m.Id).ToArray()),
            ("@s", messages.Select(m => m.SessionId).ToArray()),
            ("@p", messages.Select(m => m.Partition).ToArray()),
            ("@j", messages.Select(m => m.JobId).ToArray()),
            ("@g", messages.Select(m => m.DataGroup).ToArray()),
            ("@c", messages.Select(m => m.ChannelDatabase ?? "").ToArray()),
            ("@st", messages.Select(m => m.Status.ToString()).ToArray()),
            ("@m", messages.Select(m => m.Message).ToArray()),
            ("@at", messages.Select(m => m.CreatedAt.ToUniversalTime()).ToArray()),
            ("@moved", moved),
        ];
        var inserted = await work.ExecuteAsync(InsertBatch, batch).ConfigureAwait(false);
        await work.ExecuteAsync(UpsertBatch, batch).ConfigureAwait(false);
        return inserted;
    }
}
