using AsyncServer.Data;

namespace AsyncServer.Upload;

/// <summary>
/// The HQ table of each store's acknowledged counters, ASYNCUPLOADCOUNTER, one text per provider: it lives in the HQ
/// database, so the counters advance in the same transaction as the rows they cover (docs/upload.md). Parameters: @p
/// partition, @c channel database, @j upload job, @s subjob, @counter, @session.
/// </summary>
public sealed record HqCounterSql
{
    /// <summary>Parameters @table, @schema (SQL Server looks itself up in the catalog; the others say IF NOT EXISTS).</summary>
    public required string Create { get; init; }
    /// <summary>COUNTER, SESSIONID of (@p, @c, @j, @s), locked until the transaction ends where the provider can.</summary>
    public required string Read { get; init; }
    public required string Upsert { get; init; }

    public static HqCounterSql For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Portable(""),
        DatabaseProvider.PostgreSql => Portable(" FOR UPDATE"),
        DatabaseProvider.SqlServer => SqlServer,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "No upload counter SQL for this provider."),
    };

    private const string Key = "PARTITIONID = @p AND CHANNELDATABASE = @c AND JOBID = @j AND SUBJOB = @s";

    private static HqCounterSql Portable(string forUpdate) => new()
    {
        Create = """
            CREATE TABLE IF NOT EXISTS ASYNCUPLOADCOUNTER (
                PARTITIONID VARCHAR(100) NOT NULL,
                CHANNELDATABASE VARCHAR(100) NOT NULL,
                JOBID VARCHAR(100) NOT NULL,
                SUBJOB VARCHAR(100) NOT NULL,
                COUNTER BIGINT NOT NULL,
                SESSIONID BIGINT NOT NULL,
                PRIMARY KEY (PARTITIONID, CHANNELDATABASE, JOBID, SUBJOB))
            """,
        Read = $"SELECT COUNTER, SESSIONID FROM ASYNCUPLOADCOUNTER WHERE {Key}{forUpdate}",
        Upsert = "INSERT INTO ASYNCUPLOADCOUNTER (PARTITIONID, CHANNELDATABASE, JOBID, SUBJOB, COUNTER, SESSIONID) " +
            "VALUES (@p, @c, @j, @s, @counter, @session) " +
            "ON CONFLICT (PARTITIONID, CHANNELDATABASE, JOBID, SUBJOB) DO UPDATE SET COUNTER = excluded.COUNTER, SESSIONID = excluded.SESSIONID",
    };

    public static readonly HqCounterSql SqlServer = new()
    {
        Create = """
            IF NOT EXISTS (SELECT 1 FROM [sys].[tables] WHERE [name] = @table AND [schema_id] = SCHEMA_ID(@schema))
            CREATE TABLE [dbo].[ASYNCUPLOADCOUNTER] (
                [PARTITIONID] nvarchar(100) NOT NULL,
                [CHANNELDATABASE] nvarchar(100) NOT NULL,
                [JOBID] nvarchar(100) NOT NULL,
                [SUBJOB] nvarchar(100) NOT NULL,
                [COUNTER] bigint NOT NULL,
                [SESSIONID] bigint NOT NULL,
                CONSTRAINT [PK_ASYNCUPLOADCOUNTER] PRIMARY KEY ([PARTITIONID], [CHANNELDATABASE], [JOBID], [SUBJOB]));
            """,
        Read = "SELECT [COUNTER], [SESSIONID] FROM [dbo].[ASYNCUPLOADCOUNTER] WITH (UPDLOCK, HOLDLOCK) " +
            "WHERE [PARTITIONID] = @p AND [CHANNELDATABASE] = @c AND [JOBID] = @j AND [SUBJOB] = @s;",
        Upsert = """
            UPDATE [dbo].[ASYNCUPLOADCOUNTER] SET [COUNTER] = @counter, [SESSIONID] = @session
            WHERE [PARTITIONID] = @p AND [CHANNELDATABASE] = @c AND [JOBID] = @j AND [SUBJOB] = @s;
            IF @@ROWCOUNT = 0
                INSERT INTO [dbo].[ASYNCUPLOADCOUNTER] ([PARTITIONID], [CHANNELDATABASE], [JOBID], [SUBJOB], [COUNTER], [SESSIONID])
                VALUES (@p, @c, @j, @s, @counter, @session);
            """,
    };
}
