using AsyncServer.Configuration;
using AsyncServer.Messaging;
using AsyncServer.Samples;

namespace AsyncServer.Service.Tests;

/// <summary>A sample SQLite environment (HQ, message database, configuration) in a temp folder, with test schedules.</summary>
public sealed class SampleSetup : IDisposable
{
    private SampleSetup(string folder, SampleEnvironmentInfo info)
    {
        Folder = folder;
        Info = info;
    }

    public string Folder { get; }
    public SampleEnvironmentInfo Info { get; }
    public string ConfigurationPath => Info.ConfigurationPath;

    public static async Task<SampleSetup> CreateAsync(string hint, Action<AsyncServerConfiguration> configure, int products = 300)
    {
        var folder = Path.Combine(Path.GetTempPath(), "asyncserver-tests", $"{hint}-{Guid.NewGuid():N}");
        var info = await SampleEnvironment.CreateAsync(folder, products, CancellationToken.None);
        var config = ConfigurationLoader.Load(info.ConfigurationPath);
        configure(config);
        ConfigurationLoader.Save(config, info.ConfigurationPath);
        return new SampleSetup(folder, info);
    }

    public EngineContext Context() => new(ConfigurationLoader.Load(ConfigurationPath));

    /// <summary>Every session in the message database, NoData included.</summary>
    public async Task<IReadOnlyList<DownloadSessionRecord>> SessionsAsync()
    {
        await using var store = Context().OpenMessageStore();
        return await store.QuerySessionsAsync(new SessionQuery { IncludeNoData = true }, CancellationToken.None);
    }

    public async Task<long?> RowVersionAsync(string group, string job)
    {
        var context = Context();
        await using var store = context.OpenMessageStore();
        return await store.GetRowVersionAsync(context.Configuration.Partition, group, job, CancellationToken.None);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
