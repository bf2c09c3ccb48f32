using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Operations;
using AsyncServer.Samples;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AsyncServer.Tests.Operations;

/// <summary>The instruments are process-wide, so the tests that read them run alone (no other test adds to them meanwhile).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}

/// <summary>
/// Issue 16, points 2 and 5: the engine's instruments read through a real OpenTelemetry pipeline (MeterProvider and its
/// in-memory exporter): the health gauges over real SQLite and PostgreSQL message databases with stores in each state, and
/// the distribution counters and histograms after a real run.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static (MeterProvider Provider, List<Metric> Exported) Listen()
    {
        var exported = new List<Metric>();
        var provider = Sdk.CreateMeterProviderBuilder().AddMeter(AsyncServerMetrics.MeterName).AddInMemoryExporter(exported).Build();
        return (provider, exported);
    }

    private static List<(Dictionary<string, object?> Tags, long Value)> Points(List<Metric> exported, string name, bool gauge)
    {
        var points = new List<(Dictionary<string, object?>, long)>();
        // The exporter is given the same Metric objects at every collection (ForceFlush, then Dispose): each once.
        foreach (var metric in exported.Distinct().Where(m => m.Name == name))
            foreach (ref readonly var p in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (var t in p.Tags) tags[t.Key] = t.Value;
                points.Add((tags, gauge ? p.GetGaugeLastValueLong() : p.GetSumLong()));
            }
        return points;
    }

    private static long Value(List<Metric> exported, string name, bool gauge, params (string Key, string Value)[] tags)
        => Points(exported, name, gauge).Where(p => tags.All(t => Equals(p.Tags.GetValueOrDefault(t.Key), t.Value))).Sum(p => p.Value);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_health_gauges_count_stores_by_state_and_sessions_by_data_group(bool postgres)
    {
        var db = postgres
            ? ResolvedConnection.FromString(DatabaseProvider.PostgreSql, await server.CreateDatabaseAsync("metrics"))
            : ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}.db")}");
        await using (var init = ProviderFactory.CreateMessageStore(db)) await init.InitializeAsync(default);
        var now = DateTimeOffset.UtcNow;
        await HealthScenario.DriveAsync(db, "ps1", "1040", MessageStoreContract.EveryState, now);
        await using var store = ProviderFactory.CreateMessageStore(db);
        var health = ChannelHealthBrowser.Evaluate(MessageStoreContract.HealthConfiguration(), await store.ReadChannelActivityAsync(default), now);

        var (provider, exported) = Listen();
        using (provider)
        {
            HealthMetrics.Publish(health);
            provider.ForceFlush();
        }
        const string group = AsyncServerMetrics.DataGroupTag;
        foreach (var (g, _, state) in MessageStoreContract.EveryState)
            Assert.Equal(1, Value(exported, "asyncserver.channel_database.count", true, (group, g), (HealthMetrics.StateTag, state.ToString())));
        Assert.Equal(0, Value(exported, "asyncserver.channel_database.count", true, (group, "G1"), (HealthMetrics.StateTag, "Blocked")));
        Assert.Equal(4, Value(exported, "asyncserver.session_target.pending", true, (group, "G1")));
        Assert.Equal(2, Value(exported, "asyncserver.session_target.pending", true, (group, "G2")));
        Assert.Equal(1, Value(exported, "asyncserver.session_target.failed", true, (group, "G2")));
    }

    [Fact]
    public async Task A_distribution_run_counts_its_rows_bytes_sessions_and_pass_durations()
    {
        await using var ws = await Workspace.CreateAsync();
        var (provider, exported) = Listen();
        IReadOnlyList<DownloadSessionRecord> sessions;
        using (provider)
        {
            sessions = await ws.RunJobsAsync("1020");
            provider.ForceFlush();
        }
        const string job = AsyncServerMetrics.JobTag;
        var packaged = sessions.Where(s => s.Status == SessionStatus.Available).ToList();
        Assert.NotEmpty(packaged);
        Assert.Equal(packaged.Sum(s => s.RowCount), Value(exported, "asyncserver.package.rows", false, (job, "1020")));
        Assert.Equal(packaged.Sum(s => s.PackageSize ?? 0), Value(exported, "asyncserver.package.size", false, (job, "1020")));
        Assert.Equal(sessions.Count, Value(exported, "asyncserver.session.recorded", false, (job, "1020")));
        var durations = exported.Distinct().Where(m => m.Name == "asyncserver.distribution.duration").ToList();
        long passes = 0;
        foreach (var m in durations)
            foreach (ref readonly var p in m.GetMetricPoints()) passes += p.GetHistogramCount();
        Assert.Equal(ws.Config.DataGroups.Count, passes);
        Assert.Equal("s", Assert.Single(durations).Unit);
    }

    [Fact]
    public async Task An_applied_upload_counts_its_rows_once()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        await Upload.UploadSupport.SellAsync(ws, "HOUSTON", 4);
        await Upload.UploadSupport.SendAsync(ws, "HOUSTON");
        var (provider, exported) = Listen();
        IReadOnlyList<AsyncServer.Upload.UploadApplyResult> applied;
        using (provider)
        {
            applied = await Upload.UploadSupport.ApplyAsync(ws);
            await Upload.UploadSupport.ApplyAsync(ws); // nothing left to apply: counts nothing
            provider.ForceFlush();
        }
        var rows = Assert.Single(applied).Rows;
        Assert.True(rows > 0);
        Assert.Equal(rows, Value(exported, "asyncserver.upload.rows", false, (AsyncServerMetrics.JobTag, SampleSales.JobId)));
    }
}
