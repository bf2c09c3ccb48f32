using AsyncServer.ChangeTracking;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// Issue 12, point 12: enabling change tracking copies the key columns' declared types into the side table's
/// DDL. A declared type is any text the HQ schema's author wrote, so it must never end the statement.
/// </summary>
public sealed class HostileSqliteTypeTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    public static TheoryData<string> HostileTypes => new()
    {
        "\"INT); DROP TABLE VICTIM; --\"",
        "\"TEXT, x INT); CREATE TABLE PWNED (a); --\"",
        "[NVARCHAR); DELETE FROM VICTIM; --]",
        "\"INT\nPRIMARY\"",
    };

    [Theory]
    [MemberData(nameof(HostileTypes))]
    public async Task A_crafted_key_type_cannot_end_the_trigger_DDL(string declaredType)
    {
        var db = await fixture.CreateDatabaseAsync("hostiletype");
        await fixture.ExecuteAsync(db, $"CREATE TABLE VICTIM (A TEXT); INSERT INTO VICTIM VALUES ('still here'); CREATE TABLE ITEMS (ID {declaredType} NOT NULL PRIMARY KEY, NAME TEXT)");
        var declared = (await DatabaseProviders.For(db).OpenChangeSource(db).DescribeTableAsync("ITEMS", default))!.Columns[0].NativeType;
        Assert.Contains(declared, c => c is ')' or ';' or '\n'); // the hostile text really is the declared type

        var source = DatabaseProviders.For(db).OpenChangeSource(db);
        await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        await fixture.ExecuteAsync(db, "INSERT INTO ITEMS VALUES ('1', 'a'); UPDATE ITEMS SET NAME = 'b'");

        Assert.Equal(1L, await fixture.ScalarAsync(db, "SELECT count(*) FROM VICTIM"));
        Assert.Equal(0L, await fixture.ScalarAsync(db, "SELECT count(*) FROM sqlite_master WHERE name = 'PWNED'"));
        Assert.Equal(1L, await fixture.ScalarAsync(db, "SELECT count(*) FROM \"__async_ct_ITEMS\""));
    }
}
