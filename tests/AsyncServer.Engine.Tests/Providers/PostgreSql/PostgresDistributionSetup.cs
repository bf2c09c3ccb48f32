using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>
/// HQ, message database and one channel database per data group, all on PostgreSQL: table ITEMS under change
/// tracking, job 1040 with subjob ITEMS filtered by DATAAREAID, data groups USRT (usrt) and USMF (usmf),
/// schedule "Products" running both.
/// </summary>
public sealed class PostgresDistributionSetup
{
    public required ResolvedConnection Hq { get; init; }
    public required ResolvedConnection Message { get; init; }
    public required IReadOnlyDictionary<string, ResolvedConnection> Channels { get; init; }
    public required AsyncServerConfiguration Configuration { get; init; }

    public const string ItemsDdl = "CREATE TABLE ITEMS (ID BIGINT NOT NULL PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL, NAME VARCHAR(100), AMOUNT NUMERIC(20,6))";

    public static async Task<PostgresDistributionSetup> CreateAsync(PostgresFixture fixture, string hint, string folder)
    {
        var hq = await fixture.CreateDatabaseAsync(hint + "hq");
        await fixture.ExecuteAsync(hq, ItemsDdl);
        await using (var source = ProviderFactory.CreateChangeSource(hq))
            await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        var message = await fixture.CreateDatabaseAsync(hint + "msg");
        await using (var store = ProviderFactory.CreateMessageStore(message))
            await store.InitializeAsync(default);
        var channels = new Dictionary<string, ResolvedConnection>();
        foreach (var id in new[] { "HOUSTON", "CHICAGO" })
        {
            var db = await fixture.CreateDatabaseAsync(hint + id);
            await fixture.ExecuteAsync(db, ItemsDdl);
            channels[id] = db;
        }
        ConnectionSettings Pg(ResolvedConnection c) => new() { Provider = "postgresql", ConnectionString = c.ConnectionString };
        ChannelDatabaseSettings Store(string id, string area) => new()
        {
            Id = id, Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = area }, Connection = Pg(channels[id]),
        };
        var config = new AsyncServerConfiguration
        {
            Partition = "ps1",
            Hq = Pg(hq),
            MessageDatabase = Pg(message),
            WorkingFolders = new WorkingFolderSettings { Download = Path.Combine(folder, "download"), Upload = Path.Combine(folder, "upload") },
            BaseDirectory = folder,
            DataGroups =
            [
                new DataGroupSettings { Id = "USRT", ChannelDatabases = [Store("HOUSTON", "usrt")] },
                new DataGroupSettings { Id = "USMF", ChannelDatabases = [Store("CHICAGO", "usmf")] },
            ],
            Subjobs = [new SubjobSettings { Id = "ITEMS", HqTable = "ITEMS", Filter = "DATAAREAID = @DataAreaId" }],
            Jobs = [new JobSettings { Id = "1040", Name = "Products", Subjobs = ["ITEMS"] }],
            Schedules = [new ScheduleSettings { Name = "Products", Jobs = ["1040"], DataGroups = ["USRT", "USMF"] }],
        };
        return new PostgresDistributionSetup { Hq = hq, Message = message, Channels = channels, Configuration = config };
    }

    /// <summary>The recorded sessions (Available or NoData) of one (data group, job), in session order.</summary>
    public async Task<IReadOnlyList<DownloadSessionRecord>> RecordedSessionsAsync(string group)
    {
        await using var store = ProviderFactory.CreateMessageStore(Message);
        var all = await store.QuerySessionsAsync(new SessionQuery { DataGroups = [group], IncludeNoData = true }, default);
        return all.Where(s => s.Status is SessionStatus.Available or SessionStatus.NoData).OrderBy(s => s.Id).ToList();
    }
}
