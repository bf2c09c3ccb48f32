using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Samples;

namespace AsyncServer.Tests.Support;

/// <summary>
/// A real sample setup on SQLite files in a temp folder: HQ with change tracking, message database,
/// configuration. Tests change the configuration through <see cref="Configure"/> and run the real engine.
/// </summary>
public sealed class Workspace : IAsyncDisposable
{
    private readonly TempFolder _folder;

    private Workspace(TempFolder folder, SampleEnvironmentInfo info)
    {
        _folder = folder;
        Info = info;
        Config = ConfigurationLoader.Load(info.ConfigurationPath);
    }

    public SampleEnvironmentInfo Info { get; }
    public AsyncServerConfiguration Config { get; private set; }
    public string Folder => _folder.Path;
    public EngineContext Context(string? instance = null) => new(Config, instanceId: instance ?? "test:1");

    public static async Task<Workspace> CreateAsync(int products = 40)
    {
        var folder = new TempFolder("ws");
        var info = await SampleEnvironment.CreateAsync(folder.Path, products, default);
        return new Workspace(folder, info);
    }

    /// <summary>Edits the configuration and saves it, as an administrator would.</summary>
    public void Configure(Action<AsyncServerConfiguration> change)
    {
        change(Config);
        ConfigurationLoader.Save(Config, Info.ConfigurationPath);
        Config = ConfigurationLoader.Load(Info.ConfigurationPath);
    }

    public Task<IReadOnlyList<DownloadSessionRecord>> RunAsync(DistributionRequest request, DistributionOptions? options = null, string? instance = null, CancellationToken ct = default)
        => new DistributionRunner(Context(instance), options).RunAsync(request, null, ct);

    public Task<IReadOnlyList<DownloadSessionRecord>> RunJobsAsync(params string[] jobs) => RunAsync(new DistributionRequest { Jobs = jobs });

    public async Task<int> HqAsync(string sql)
    {
        await using var conn = await SqliteConnections.OpenAsync(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={Info.HqDatabase}"), false, default);
        return await SqliteConnections.ExecuteAsync(conn, sql, default);
    }

    public async Task<object?> HqScalarAsync(string sql)
    {
        await using var conn = await SqliteConnections.OpenAsync(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={Info.HqDatabase}"), false, default);
        return await SqliteConnections.ScalarAsync(conn, sql, default);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> SessionsAsync(SessionQuery? query = null)
    {
        await using var store = Context().OpenMessageStore();
        return await store.QuerySessionsAsync(query ?? new SessionQuery { IncludeNoData = true }, default);
    }

    public async Task<long?> RowVersionAsync(string group, string job)
    {
        await using var store = Context().OpenMessageStore();
        return await store.GetRowVersionAsync(Config.Partition, group, job, default);
    }

    public string PackagePath(DownloadSessionRecord s) => Path.Combine(s.Staged ? Config.StagingFolder : Config.DownloadFolder, s.PackageFile!);

    /// <summary>Every row of every table in a session's package, verified against the manifest first.</summary>
    public async Task<(PackageManifest Manifest, Dictionary<string, List<PackageRow>> Rows)> ReadPackageAsync(DownloadSessionRecord s)
    {
        using var reader = PackageReader.Open(PackagePath(s));
        await reader.VerifyAsync(default);
        var rows = new Dictionary<string, List<PackageRow>>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in reader.Manifest.Tables)
        {
            if (!rows.TryGetValue(table.ChannelTable, out var list)) rows[table.ChannelTable] = list = [];
            await foreach (var row in reader.ReadRowsAsync(table)) list.Add(row);
        }
        return (reader.Manifest, rows);
    }

    public string[] FilesInWorkingFolders() => Directory.Exists(Config.DownloadFolder)
        ? Directory.GetFiles(Config.DownloadFolder, "*", SearchOption.AllDirectories) : [];

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
