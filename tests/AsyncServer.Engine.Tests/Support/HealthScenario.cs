using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using AsyncServer.Operations;
using AsyncServer.Providers;

namespace AsyncServer.Tests.Support;

/// <summary>
/// Drives channel databases of a real message database into each health state through the real store and endpoint store
/// (sessions, targets, client reports and endpoint contacts written at chosen times), relative to <c>now</c>, with the
/// default <see cref="HealthSettings"/> (5-minute interval, Silent after 3). Shared by the engine, PowerShell and service
/// tests (linked source). Sessions name package files that do not exist: only their records matter here.
/// </summary>
public static class HealthScenario
{
    /// <summary>Five stores in two data groups, one in each state: what the engine, PowerShell and service tests drive.</summary>
    public static readonly (string DataGroup, string ChannelDatabase, ChannelHealthState State)[] EveryState =
    [
        ("G1", "NEVER", ChannelHealthState.NeverConnected), ("G1", "APPLIED", ChannelHealthState.Healthy),
        ("G1", "BEHIND", ChannelHealthState.Behind), ("G2", "BLOCKED", ChannelHealthState.Blocked), ("G2", "SILENT", ChannelHealthState.Silent),
    ];

    /// <summary>A clock the scenario moves, so each record gets the time the state needs.</summary>
    public sealed class StepClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Two sessions (3 h and 2 h 50 min old) for every wanted channel database, then each driven to its state.</summary>
    public static async Task<IReadOnlyDictionary<string, long[]>> DriveAsync(ResolvedConnection messageDatabase, string partition,
        string job, IReadOnlyList<(string DataGroup, string ChannelDatabase, ChannelHealthState State)> wanted, DateTimeOffset now,
        string? downloadFolder = null)
    {
        var clock = new StepClock(now - TimeSpan.FromHours(3));
        var provider = DatabaseProviders.For(messageDatabase);
        await using var store = provider.OpenMessageStore(messageDatabase, clock);
        var endpoint = new EndpointStore(messageDatabase, provider.OpenConnector(messageDatabase), clock);
        var sessions = new Dictionary<string, long[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in wanted.GroupBy(w => w.DataGroup, StringComparer.OrdinalIgnoreCase))
        {
            var databases = group.Select(g => g.ChannelDatabase).ToList();
            clock.Now = now - TimeSpan.FromHours(3);
            var first = await RecordSessionAsync(store, partition, group.Key, job, 1, databases, downloadFolder);
            clock.Now = now - TimeSpan.FromMinutes(170);
            var second = await RecordSessionAsync(store, partition, group.Key, job, 2, databases, downloadFolder);
            foreach (var db in databases) sessions[db] = [first, second];
        }
        foreach (var (_, db, state) in wanted) await DriveOneAsync(store, endpoint, clock, db, state, sessions[db], now);
        return sessions;
    }

    private static async Task<long> RecordSessionAsync(IMessageStore store, string partition, string group, string job, long version,
        IReadOnlyList<string> databases, string? downloadFolder)
    {
        var resource = $"download/{partition}/{group}/{job}";
        Assert.True((await store.TryAcquireLeaseAsync(resource, "scenario", TimeSpan.FromMinutes(5), default)).Acquired);
        var session = new NewSession(partition, job, group, SessionKind.Incremental, false, null, version - 1, version, 1, "scenario", []);
        var id = await store.CreateStartedSessionAsync(session, default);
        var file = AsyncServer.Packaging.PackageFiles.Name(partition, job, group, id);
        var (size, sha) = (1000L, new string('a', 64));
        if (downloadFolder is not null)
        {
            // A real file with its real size and hash, so Restart-AsyncSession finds the package intact.
            var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1000);
            Directory.CreateDirectory(downloadFolder);
            await File.WriteAllBytesAsync(Path.Combine(downloadFolder, file), bytes);
            sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        }
        await store.CompleteRunAsync(new RunCompletion(partition, group, job, resource, "scenario", version == 1 ? null : version - 1, version,
            [new CompletedPackage(id, 10, file, size, sha, false)], null, databases), default);
        await store.ReleaseLeaseAsync(resource, "scenario", default);
        return id;
    }

    private static async Task DriveOneAsync(IMessageStore store, EndpointStore endpoint, StepClock clock, string db, ChannelHealthState state,
        long[] sessions, DateTimeOffset now)
    {
        var contact = new ChannelContact("scenario/1.0", "127.0.0.1");
        switch (state)
        {
            case ChannelHealthState.Healthy:
                clock.Now = now - TimeSpan.FromMinutes(1);
                await ApplyAsync(store, db);
                await endpoint.RecordContactAsync(db, contact, default);
                break;
            case ChannelHealthState.Behind:
                clock.Now = now - TimeSpan.FromMinutes(1);
                await endpoint.RecordContactAsync(db, contact, default);
                break;
            case ChannelHealthState.Blocked:
                clock.Now = now - TimeSpan.FromMinutes(30);
                await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.ApplyFailed, "Table INVENTTABLE is missing.")
                    { ChannelDatabase = db, SessionId = sessions[0], Tries = TriesChange.Increment }, default);
                await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.Suspended, $"Blocked behind session {sessions[0]}.")
                    { ChannelDatabase = db, AfterSessionId = sessions[0] }, default);
                clock.Now = now - TimeSpan.FromMinutes(1);
                await endpoint.RecordContactAsync(db, contact, default);
                break;
            case ChannelHealthState.Silent:
                clock.Now = now - TimeSpan.FromMinutes(150);
                await ApplyAsync(store, db);
                await endpoint.RecordContactAsync(db, contact, default);
                break;
            case ChannelHealthState.NeverConnected:
                break;
        }
    }

    private static Task<int> ApplyAsync(IMessageStore store, string db)
        => store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.Applied, null) { ChannelDatabase = db }, default);
}
