using System.Management.Automation;
using System.Text.Json;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Operations;
using AsyncServer.Providers;
using AsyncServer.Tests.Support;

namespace AsyncServer.PowerShell.Tests;

/// <summary>
/// Get-AsyncChannelHealth on real SQLite and PostgreSQL message databases whose stores were driven into each state
/// (issue 16): the output, the filters, the name rule, the 80-column view and the pipeline into Get- and Restart-AsyncSession.
/// </summary>
public sealed class ChannelHealthCmdletTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "asyncserver-tests", $"health-{Guid.NewGuid():N}");

    private static IReadOnlyList<(string DataGroup, string ChannelDatabase, ChannelHealthState State)> EveryState => HealthScenario.EveryState;

    private async Task<(PowerShellHost Host, IReadOnlyDictionary<string, long[]> Sessions)> ArrangeAsync(string provider)
    {
        Directory.CreateDirectory(_folder);
        var connection = provider == "sqlite" ? $"Data Source={Path.Combine(_folder, "messages.db")}" : await server.CreateDatabaseAsync("health");
        var config = new
        {
            partition = "ps1",
            messageDatabase = new { provider, connectionString = connection },
            workingFolders = new { download = "download", createFolders = true },
            dataGroups = EveryState.GroupBy(s => s.DataGroup).Select(g => new { id = g.Key, channelDatabases = g.Select(s => new { id = s.ChannelDatabase }) }),
        };
        await File.WriteAllTextAsync(Path.Combine(_folder, "asyncserver.json"), JsonSerializer.Serialize(config));
        var db = ResolvedConnection.FromString(provider == "sqlite" ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql, connection);
        await using (var store = DatabaseProviders.For(db).OpenMessageStore(db)) await store.InitializeAsync(default);
        var sessions = await HealthScenario.DriveAsync(db, "ps1", "1040", EveryState, DateTimeOffset.UtcNow, Path.Combine(_folder, "download"));
        return (new PowerShellHost(_folder), sessions);
    }

    private static List<ChannelDatabaseHealth> Rows(IEnumerable<PSObject> output) => output.Select(o => (ChannelDatabaseHealth)o.BaseObject).ToList();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Every_state_is_shown_and_filtered_by_state_data_group_and_name(string provider)
    {
        var (host, sessions) = await ArrangeAsync(provider);
        using var _ = host;
        var all = Rows(host.Invoke("Get-AsyncChannelHealth"));
        Assert.Equal(EveryState.Select(s => (s.ChannelDatabase, s.DataGroup, s.State)), all.Select(r => (r.ChannelDatabase, r.DataGroup, r.State)));
        var blocked = all.Single(r => r.State == ChannelHealthState.Blocked);
        Assert.Equal((sessions["BLOCKED"][0], 1, 1), (blocked.BlockingSession, blocked.FailedSessions, blocked.BlockedSessions));
        Assert.Contains("INVENTTABLE is missing", blocked.BlockingReason);
        Assert.Equal(2, all.Single(r => r.ChannelDatabase == "BEHIND").PendingSessions);

        Assert.Equal(["BLOCKED", "SILENT"], Rows(host.Invoke("Get-AsyncChannelHealth -State Blocked, Silent")).Select(r => r.ChannelDatabase));
        Assert.Equal(["BLOCKED", "SILENT"], Rows(host.Invoke("Get-AsyncChannelHealth -DataGroup G2")).Select(r => r.ChannelDatabase));
        Assert.Equal(["BEHIND", "BLOCKED"], Rows(host.Invoke("Get-AsyncChannelHealth -ChannelDatabase b*")).Select(r => r.ChannelDatabase));
        Assert.Empty(host.Invoke("Get-AsyncChannelHealth -ChannelDatabase x*"));
        var (output, ps) = host.Run("Get-AsyncChannelHealth -ChannelDatabase NOPE, APPLIED");
        Assert.Equal(["APPLIED"], Rows(output).Select(r => r.ChannelDatabase));
        var error = Assert.Single(ps.Streams.Error);
        Assert.Equal(("ChannelDatabaseNotFound", ErrorCategory.ObjectNotFound), (error.FullyQualifiedErrorId.Split(',')[0], error.CategoryInfo.Category));
    }

    [Fact]
    public async Task The_table_fits_80_columns_and_the_output_pipes_into_Get_and_Restart_AsyncSession()
    {
        var (host, sessions) = await ArrangeAsync("sqlite");
        using var _ = host;
        var table = string.Concat(host.Invoke("Get-AsyncChannelHealth | Format-Table | Out-String -Width 200").Select(o => o.ToString()));
        var lines = table.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.Equal(["ChannelDatabase", "DataGroup", "State", "LastSeen", "Pending", "Oldest", "Blocking"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Contains(lines, l => l.Contains("NeverConnected") && l.StartsWith("NEVER", StringComparison.Ordinal));

        var behind = host.Invoke("Get-AsyncChannelHealth BEHIND | Get-AsyncSession").Select(o => (DownloadSession)o.BaseObject).ToList();
        Assert.Equal(sessions["BEHIND"], behind.Select(s => s.Id));
        Assert.All(behind, s => Assert.Equal("BEHIND", s.ChannelDatabase));
        var blocking = host.Invoke("Get-AsyncChannelHealth BLOCKED | Get-AsyncSession").Select(o => (DownloadSession)o.BaseObject).ToList();
        Assert.Equal([(sessions["BLOCKED"][0], SessionStatus.ApplyFailed)], blocking.Select(s => (s.Id, s.Status)));

        var rerun = host.Invoke("Get-AsyncChannelHealth -State Blocked | Restart-AsyncSession -Confirm:$false -PassThru")
            .Select(o => (DownloadSession)o.BaseObject).ToList();
        Assert.Equal([(sessions["BLOCKED"][0], "BLOCKED", SessionStatus.Available)], rerun.Select(s => (s.Id, s.ChannelDatabase, s.Status)));
        var after = Rows(host.Invoke("Get-AsyncChannelHealth BLOCKED")).Single();
        Assert.Equal((ChannelHealthState.Behind, 0, 1), (after.State, after.FailedSessions, after.BlockedSessions));
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
