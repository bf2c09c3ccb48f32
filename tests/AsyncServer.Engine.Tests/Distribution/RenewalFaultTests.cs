using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;
using Npgsql;

namespace AsyncServer.Tests.Distribution;

/// <summary>
/// Issue 12 point 8 with a real fault: every connection a running distribution holds to its PostgreSQL
/// message database is killed by the server (as a failover or a network cut would). The run's next renewal
/// fails; it must be retried, so the lease is kept, the operator's cancels are still watched, and the run
/// records its work instead of losing it at fencing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RenewalFaultTests(PostgresFixture fixture)
{
    [Fact]
    public async Task A_renewal_that_fails_when_connections_drop_is_retried_and_the_run_keeps_its_claim()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8, postgres: fixture.Server);
        var message = h.Config.MessageDatabase.ConnectionString;
        LeaseResult? intruder = null;
        var options = new DistributionOptions
        {
            LeaseDuration = TimeSpan.FromSeconds(1),
            CancellationPollInterval = TimeSpan.FromMilliseconds(100),
            AfterPackagesWritten = async (_, ct) =>
            {
                await KillOtherConnectionsAsync(message);
                await Task.Delay(TimeSpan.FromSeconds(3), ct); // three leases
                // Another instance, on its own connections, tries to take the work over.
                var own = ResolvedConnection.FromString(DatabaseProvider.PostgreSql, message + ";Application Name=intruder");
                await using var store = ProviderFactory.CreateMessageStore(own, TimeProvider.System);
                intruder = await store.TryAcquireLeaseAsync($"download/{h.Config.Partition}/USMF-Stores/1020", "intruder", TimeSpan.FromMinutes(1), ct);
            },
        };

        var recorded = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] }, options);

        Assert.False(intruder!.Acquired);
        Assert.Equal(SessionStatus.Available, Assert.Single(recorded).Status);
    }

    /// <summary>Terminates every other session connected to the database (the server closes them; clients see it on next use).</summary>
    private static async Task KillOtherConnectionsAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString + ";Application Name=killer;Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", conn);
        Assert.True((long)(await cmd.ExecuteScalarAsync())! > 0, "the run held no connection to kill");
    }
}
