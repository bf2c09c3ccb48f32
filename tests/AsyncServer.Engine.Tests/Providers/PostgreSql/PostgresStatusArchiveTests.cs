using AsyncServer.Tests.Support;
using AsyncServer.Messaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>The HQ status tables on PostgreSQL (what Move-AsyncStatusMessage writes).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStatusArchiveTests(PostgresFixture fixture)
{
    private static StatusMessageRecord Message(long id, long session, string? db, SessionStatus status) =>
        new(id, session, db, status.ToString(), status == SessionStatus.ApplyFailed ? "boom" : null, DateTimeOffset.UtcNow.AddMinutes(id), "1040", "USRT", "ps1");

    [Fact]
    public async Task Messages_are_written_once_and_the_latest_status_per_session_and_database_wins_in_any_order()
    {
        var hq = await fixture.CreateDatabaseAsync("statusarchive");
        await using var archive = ProviderFactory.CreateStatusArchive(hq);
        await archive.EnsureCreatedAsync(default);
        await archive.EnsureCreatedAsync(default);

        Assert.Equal(3, await archive.WriteAsync([Message(1, 7, null, SessionStatus.Available), Message(2, 7, "HOUSTON", SessionStatus.Available), Message(4, 7, "HOUSTON", SessionStatus.Applied)], default));
        Assert.Equal(0, await archive.WriteAsync([Message(2, 7, "HOUSTON", SessionStatus.Available)], default));
        // A late batch with an older message does not move the status back.
        Assert.Equal(1, await archive.WriteAsync([Message(3, 7, "HOUSTON", SessionStatus.ApplyFailed)], default));

        Assert.Equal(4L, await fixture.ScalarAsync(hq, "SELECT count(*) FROM asyncstatusmessage"));
        Assert.Equal("Applied:4", await fixture.ScalarAsync(hq, "SELECT status || ':' || lastmessageid FROM asyncsessionstatus WHERE sessionid = 7 AND channeldatabase = 'HOUSTON'"));
        Assert.Equal("Available", await fixture.ScalarAsync(hq, "SELECT status FROM asyncsessionstatus WHERE sessionid = 7 AND channeldatabase = ''"));
    }
}
