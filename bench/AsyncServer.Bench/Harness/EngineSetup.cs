using AsyncServer.Bench.Data;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Messaging;

namespace AsyncServer.Bench.Harness;

/// <summary>Builds the configuration a scenario runs with and drives the real engine (DistributionRunner, IMessageStore).</summary>
internal static class EngineSetup
{
    public const string Job = "1040";
    public const string Partition = "bench";

    /// <summary>One job of one subjob over the product table, filtered by data area; one data group of <paramref name="channelDatabases"/> stores.</summary>
    public static AsyncServerConfiguration ProductConfiguration(ConnectionSettings hq, ConnectionSettings message, string runFolder, int channelDatabases = 1)
        => new()
        {
            Partition = Partition,
            Hq = hq,
            MessageDatabase = message,
            BaseDirectory = runFolder,
            WorkingFolders = new WorkingFolderSettings { Download = Path.Combine(runFolder, "download"), Upload = Path.Combine(runFolder, "upload") },
            DataGroups = [Group("DG1", ProductRows.DataArea, Enumerable.Range(1, channelDatabases).Select(i => $"STORE{i:D3}"))],
            Subjobs = [new SubjobSettings { Id = ProductRows.Table, HqTable = ProductRows.Table, Filter = "DATAAREAID = @DataAreaId" }],
            Jobs = [new JobSettings { Id = Job, Name = "Products", Subjobs = [ProductRows.Table] }],
        };

    /// <summary>
    /// The fan-out: <paramref name="groups"/> data groups sharing <paramref name="channelDatabases"/> channel databases
    /// evenly, <paramref name="jobs"/> jobs of one small table each, and one schedule over all of them.
    /// </summary>
    public static AsyncServerConfiguration FanOutConfiguration(ConnectionSettings hq, ConnectionSettings message, string runFolder, int groups, int jobs, int channelDatabases)
    {
        var perGroup = channelDatabases / groups;
        var config = new AsyncServerConfiguration
        {
            Partition = Partition,
            Hq = hq,
            MessageDatabase = message,
            BaseDirectory = runFolder,
            WorkingFolders = new WorkingFolderSettings { Download = Path.Combine(runFolder, "download"), Upload = Path.Combine(runFolder, "upload") },
            DataGroups = Enumerable.Range(1, groups).Select(g => Group($"DG{g}", $"d{g}", Enumerable.Range(1, perGroup).Select(i => $"CH{(g - 1) * perGroup + i:D4}"))).ToList(),
            Subjobs = Enumerable.Range(1, jobs).Select(j => new SubjobSettings { Id = SqliteBackend.FanOutTable(j), HqTable = SqliteBackend.FanOutTable(j), Filter = "DATAAREAID = @DataAreaId" }).ToList(),
            Jobs = Enumerable.Range(1, jobs).Select(j => new JobSettings { Id = $"{1000 + j * 10}", Subjobs = [SqliteBackend.FanOutTable(j)] }).ToList(),
        };
        config.Schedules = [new ScheduleSettings { Name = "FanOut", Jobs = config.Jobs.Select(j => j.Id).ToList(), DataGroups = config.DataGroups.Select(g => g.Id).ToList(),
            Recurrence = new RecurrenceSettings { Interval = "00:15:00" } }];
        return config;
    }

    private static DataGroupSettings Group(string id, string dataArea, IEnumerable<string> databases) => new()
    {
        Id = id,
        ChannelDatabases = databases.Select(d => new ChannelDatabaseSettings
        {
            Id = d,
            Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = dataArea },
        }).ToList(),
    };

    public static async Task<EngineContext> InitializeAsync(AsyncServerConfiguration config)
    {
        var context = new EngineContext(config, instanceId: "bench:1");
        await using var store = context.OpenMessageStore();
        await store.InitializeAsync(default);
        return context;
    }

    /// <summary>
    /// Records, through the message store's own API, that (data group, job) has been delivered up to
    /// <paramref name="version"/> to <paramref name="channelDatabases"/>, as if a full sync had run (a session with
    /// a target per channel database, which also makes them joined, so they are not seeded); the next run is then
    /// incremental.
    /// </summary>
    public static async Task SetRowVersionAsync(EngineContext context, string dataGroup, string job, long version, IReadOnlyList<string> channelDatabases)
    {
        await using var store = context.OpenMessageStore();
        var resource = $"bench-baseline/{dataGroup}/{job}";
        var lease = await store.TryAcquireLeaseAsync(resource, context.InstanceId, TimeSpan.FromMinutes(5), default);
        if (!lease.Acquired) throw new InvalidOperationException("Could not take the baseline lease.");
        var id = await store.CreateStartedSessionAsync(new NewSession(Partition, job, dataGroup, SessionKind.Full, false, "Benchmark baseline.", null, version, 1, context.InstanceId, []), default);
        var package = new CompletedPackage(id, 0, "baseline.zip", 0, new string('0', 64), false);
        await store.CompleteRunAsync(new RunCompletion(Partition, dataGroup, job, resource, context.InstanceId, null, version, [package], null, channelDatabases), default);
        await store.ReleaseLeaseAsync(resource, context.InstanceId, default);
    }

    public static Task<IReadOnlyList<DownloadSessionRecord>> RunAsync(EngineContext context, DistributionRequest request)
        => new DistributionRunner(context).RunAsync(request, null, default);
}
