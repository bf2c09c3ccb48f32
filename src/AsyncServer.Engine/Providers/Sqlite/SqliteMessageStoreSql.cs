using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// Every SQL text of the message store on SQLite (docs/message-database.md); its DDL is the portable one in SQLite's
/// column types. Times are fixed-width UTC text (<see cref="StoreTime"/>) so they sort and compare as text. Lease times
/// are SQLite's own clock ('now'): one machine holds the file, so its clock is every instance's, whatever clock an
/// instance was given.
/// </summary>
internal sealed class SqliteMessageStoreSql : PortableMessageStoreSql
{
    public static readonly SqliteMessageStoreSql Instance = new();

    /// <summary>Now on SQLite's clock, in <see cref="StoreTime"/>'s format (milliseconds, padded to seven digits).</summary>
    protected override string ServerNow => "strftime('%Y-%m-%dT%H:%M:%f0000Z', 'now')";

    /// <summary>Now + @ttl (a modifier such as '+300.000 seconds') on SQLite's clock.</summary>
    protected override string ServerExpiry => "strftime('%Y-%m-%dT%H:%M:%f0000Z', 'now', @ttl)";

    /// <summary>Times as <see cref="StoreTime"/> text, booleans as 0/1; ids are the rowid (AUTOINCREMENT: never reused).</summary>
    protected override ColumnTypes Types { get; } =
        new(Identity: "INTEGER PRIMARY KEY AUTOINCREMENT", UploadIdentity: "INTEGER PRIMARY KEY AUTOINCREMENT", BigInt: "INTEGER", Int: "INTEGER",
            Bool: "INTEGER", False: "0", True: "1", Time: "TEXT", UnboundedText: "TEXT", SizedText: "TEXT",
            // Upload ids start at 10^12 (the sequence's next value is seq + 1).
            UploadIdSeed: "INSERT INTO sqlite_sequence (name, seq) VALUES ('upload_sessions', 1000000000000);");

    public override string TableExists => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";

    public override string ClaimLease => $"""
        INSERT INTO leases (resource, owner, acquired_at, expires_at) VALUES (@r, @o, {ServerNow}, {ServerExpiry})
        ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        WHERE leases.owner = excluded.owner OR leases.expires_at < excluded.acquired_at;
        SELECT owner, expires_at FROM leases WHERE resource = @r;
        """;

    protected internal override string Prefix => "";
}
