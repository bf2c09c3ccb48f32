namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The HQ status tables in the SQL that SQLite and PostgreSQL both speak: unquoted names (PostgreSQL folds them to lower
/// case like any table created without quotes), CREATE ... IF NOT EXISTS, INSERT ... ON CONFLICT. A subclass names its
/// timestamp type.
/// </summary>
public abstract class PortableStatusArchiveSql : StatusArchiveSql
{
    /// <summary>The column type of the two timestamps.</summary>
    protected abstract string TimeType { get; }

    public override string Create => $"""
        CREATE TABLE IF NOT EXISTS ASYNCSTATUSMESSAGE (
            MESSAGEID BIGINT NOT NULL PRIMARY KEY,
            SESSIONID BIGINT NOT NULL,
            PARTITIONID VARCHAR(100),
            JOBID VARCHAR(100),
            DATAGROUP VARCHAR(100),
            CHANNELDATABASE VARCHAR(100) NOT NULL,
            STATUS VARCHAR(20) NOT NULL,
            MESSAGE VARCHAR(4000),
            CREATEDDATETIME {TimeType} NOT NULL,
            MOVEDDATETIME {TimeType} NOT NULL);
        CREATE INDEX IF NOT EXISTS IX_ASYNCSTATUSMESSAGE_SESSION ON ASYNCSTATUSMESSAGE (SESSIONID, CHANNELDATABASE);
        CREATE TABLE IF NOT EXISTS ASYNCSESSIONSTATUS (
            SESSIONID BIGINT NOT NULL,
            CHANNELDATABASE VARCHAR(100) NOT NULL,
            PARTITIONID VARCHAR(100),
            JOBID VARCHAR(100),
            DATAGROUP VARCHAR(100),
            STATUS VARCHAR(20) NOT NULL,
            MESSAGE VARCHAR(4000),
            UPDATEDDATETIME {TimeType} NOT NULL,
            LASTMESSAGEID BIGINT NOT NULL,
            PRIMARY KEY (SESSIONID, CHANNELDATABASE));
        """;

    public override string InsertMessage =>
        "INSERT INTO ASYNCSTATUSMESSAGE (MESSAGEID, SESSIONID, PARTITIONID, JOBID, DATAGROUP, CHANNELDATABASE, STATUS, MESSAGE, " +
        "CREATEDDATETIME, MOVEDDATETIME) " +
        "VALUES (@id, @s, @p, @j, @g, @c, @st, @m, @at, @moved) ON CONFLICT (MESSAGEID) DO NOTHING";

    public override string UpsertSessionStatus =>
        "INSERT INTO ASYNCSESSIONSTATUS (SESSIONID, CHANNELDATABASE, PARTITIONID, JOBID, DATAGROUP, STATUS, MESSAGE, UPDATEDDATETIME, LASTMESSAGEID) " +
        "VALUES (@s, @c, @p, @j, @g, @st, @m, @at, @id) ON CONFLICT (SESSIONID, CHANNELDATABASE) DO UPDATE SET " +
        "STATUS = excluded.STATUS, MESSAGE = excluded.MESSAGE, UPDATEDDATETIME = excluded.UPDATEDDATETIME, LASTMESSAGEID = excluded.LASTMESSAGEID " +
        "WHERE excluded.LASTMESSAGEID > ASYNCSESSIONSTATUS.LASTMESSAGEID";
}
