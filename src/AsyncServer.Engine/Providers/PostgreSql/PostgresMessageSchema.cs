using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// The message database on PostgreSQL lives in schema <c>asyncserver</c>, with the same tables and columns as
/// on SQLite (docs/message-database.md), in native types: the DDL is written once for every provider
/// (<see cref="MessageStoreSql"/>). Migration n brings the schema from version n-1 to n.
/// </summary>
internal static class PostgresMessageSchema
{
    public const string Schema = "asyncserver";

    /// <summary>The migrations (the DDL in PostgreSQL's types, <see cref="MessageStoreSql"/>).</summary>
    public static IReadOnlyList<string> Migrations => PostgresMessageStoreSql.Instance.Migrations;

    /// <summary>Advisory lock key (per database) serializing Initialize-AsyncMessageDatabase runs.</summary>
    public const long MigrationLockKey = 0x4153_4D53_4749_4E49; // "ASMSGINI"
}
