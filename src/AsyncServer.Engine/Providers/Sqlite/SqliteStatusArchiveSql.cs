using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.Sqlite;

/// <summary>The HQ status tables on SQLite: a message at a time, two statements each, in one transaction per batch.</summary>
internal sealed class SqliteStatusArchiveSql : PortableStatusArchiveSql
{
    public static readonly SqliteStatusArchiveSql Instance = new();

    protected override string TimeType => "DATETIME";
}
