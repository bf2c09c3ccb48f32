using AsyncServer.Tests.Support;
using AsyncServer.Messaging;
using AsyncServer.Providers;
using AsyncServer.Providers.PostgreSql;
using AsyncServer.Tests.Contracts;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>Upgrading a PostgreSQL message database made by an earlier version.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMessageSchemaTests(PostgresFixture fixture)
{
    [Fact]
    public async Task A_schema_1_database_is_upgraded_in_place_and_keeps_its_channel_databases_as_joined()
    {
        var db = await fixture.CreateDatabaseAsync("upgrade");
        await fixture.ExecuteAsync(db, PostgresMessageSchema.Migrations[0]);
        await fixture.ExecuteAsync(db, """
            INSERT INTO asyncserver.schema_info VALUES (1, 1, now());
            INSERT INTO asyncserver.download_sessions (partition, job_id, data_group, kind, to_version, status, instance_id, created_at)
                OVERRIDING SYSTEM VALUE VALUES ('ps1', '1040', 'G1', 'Full', 5, 'Available', 'old:1', now());
            INSERT INTO asyncserver.session_targets VALUES (1, 'HOUSTON', 'Applied', 1, now(), NULL);
            """);
        await using var store = ProviderFactory.CreateMessageStore(db);
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => store.EnsureReadyAsync(default));
        Assert.Equal(Diagnostics.ErrorIds.MessageDatabaseOutdated, ex.ErrorId);

        var info = await store.InitializeAsync(default);
        Assert.Equal((1, MessageSchema.CurrentVersion), (info.PreviousSchemaVersion, info.SchemaVersion));
        await store.EnsureReadyAsync(default);
        Assert.Equal(["SEATTLE"], await store.FindChannelDatabasesToSeedAsync("ps1", "G1", "1040", ["HOUSTON", "SEATTLE"], default));
        Assert.Equal(SessionStatus.Applied, (await store.QuerySessionsAsync(new SessionQuery { Ids = [1] }, default)).Single().Targets.Single().Status);
    }
}
