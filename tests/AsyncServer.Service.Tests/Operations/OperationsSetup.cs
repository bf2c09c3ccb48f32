using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Operations;
using AsyncServer.Providers;
using AsyncServer.Tests.Support;

namespace AsyncServer.Service.Tests.Operations;

/// <summary>
/// A message database (SQLite or PostgreSQL) whose stores were driven into each health state, two schedules, and the
/// real service (--mode Endpoint, plain HTTP on 127.0.0.1, health read every second) serving /metrics and /status.
/// </summary>
public sealed partial class OperationsSetup : IAsyncDisposable
{
    public static IReadOnlyList<(string DataGroup, string ChannelDatabase, ChannelHealthState State)> EveryState => HealthScenario.EveryState;

    private OperationsSetup(string folder, ResolvedConnection messageDatabase, IReadOnlyDictionary<string, long[]> sessions)
        => (Folder, MessageDatabase, Sessions) = (folder, messageDatabase, sessions);

    public string Folder { get; }
    public ResolvedConnection MessageDatabase { get; }
    public IReadOnlyDictionary<string, long[]> Sessions { get; }
    public ServiceProcess Service { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;

    /// <param name="operatorPassword">With a password: the service listens on every address (plain HTTP allowed) and
    /// takes the operator's credential from a file; without: loopback only.</param>
    public static async Task<OperationsSetup> CreateAsync(string hint, string? postgresConnectionString, string? operatorPassword = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "asyncserver-tests", $"{hint}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var (provider, connection) = postgresConnectionString is null
            ? ("sqlite", $"Data Source={Path.Combine(folder, "messages.db")}") : ("postgresql", postgresConnectionString);
        var config = new
        {
            partition = "ps1",
            messageDatabase = new { provider, connectionString = connection },
            workingFolders = new { download = "download", createFolders = true },
            dataGroups = EveryState.GroupBy(s => s.DataGroup).Select(g => new { id = g.Key, channelDatabases = g.Select(s => new { id = s.ChannelDatabase }) }),
            jobs = new[] { new { id = "1040", name = "Products", subjobs = Array.Empty<string>() } },
            schedules = new object[]
            {
                new { name = "Products", jobs = new[] { "1040" }, dataGroups = new[] { "G1", "G2" }, recurrence = new { interval = "00:15:00" } },
                new { name = "Nightly", jobs = new[] { "1040" }, dataGroups = new[] { "G1" }, recurrence = new { cron = "0 2 * * *" } },
            },
        };
        await File.WriteAllTextAsync(Path.Combine(folder, "asyncserver.json"), JsonSerializer.Serialize(config));
        var db = ResolvedConnection.FromString(provider == "sqlite" ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql, connection);
        await using (var store = DatabaseProviders.For(db).OpenMessageStore(db)) await store.InitializeAsync(default);
        var sessions = await HealthScenario.DriveAsync(db, "ps1", "1040", EveryState, DateTimeOffset.UtcNow, Path.Combine(folder, "download"));
        var setup = new OperationsSetup(folder, db, sessions);
        await setup.StartServiceAsync(operatorPassword);
        return setup;
    }

    private async Task StartServiceAsync(string? operatorPassword)
    {
        var passwordFile = Path.Combine(Folder, "operator.password");
        if (operatorPassword is not null) await File.WriteAllTextAsync(passwordFile, operatorPassword + "\n");
        var settings = new Dictionary<string, object>
        {
            ["configurationPath"] = Path.Combine(Folder, "asyncserver.json"),
            ["mode"] = "Endpoint",
            ["listen"] = new[] { operatorPassword is null ? "http://127.0.0.1:0" : "http://0.0.0.0:0" },
            ["operations"] = operatorPassword is null
                ? new Dictionary<string, object> { ["pollInterval"] = "00:00:01" }
                : new Dictionary<string, object> { ["pollInterval"] = "00:00:01", ["operatorPasswordFile"] = passwordFile },
        };
        if (operatorPassword is not null) settings["endpoint"] = new Dictionary<string, object> { ["allowPlainHttp"] = true };
        var path = Path.Combine(Folder, "service.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(settings));
        Service = ServiceProcess.Start(Folder, "--settings", path);
        string? port = null;
        await Service.WaitUntilAsync(() =>
        {
            port = Service.Lines.Select(l => ListeningLine().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
            return port is not null;
        }, "the listener to start");
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The blocking session of BLOCKED is rerun (as Restart-AsyncSession does to its target) and the one behind it released.</summary>
    public async Task UnblockAsync()
    {
        await using var store = DatabaseProviders.For(MessageDatabase).OpenMessageStore(MessageDatabase);
        await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.ApplyFailed, SessionStatus.Suspended], SessionStatus.Available, "Rerun.")
            { ChannelDatabase = "BLOCKED", Tries = TriesChange.Reset }, default);
    }

    [GeneratedRegex(@"Endpoint listening on http://(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)")]
    private static partial Regex ListeningLine();

    public ValueTask DisposeAsync()
    {
        Service?.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
