using System.Globalization;
using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;

namespace AsyncServer.Samples;

/// <summary>Where New-AsyncSampleEnvironment put things.</summary>
public sealed record SampleEnvironmentInfo(
    string Path, string ConfigurationPath, string HqDatabase, string MessageDatabase, string DownloadFolder, string ChannelFolder, long HqRows);

/// <summary>
/// Creates a complete, self-contained setup on SQLite in one folder: a filled sample HQ database with
/// change tracking on, an initialized message database and the configuration that ties them together.
/// </summary>
public static class SampleEnvironment
{
    public static async Task<SampleEnvironmentInfo> CreateAsync(string folder, int products, CancellationToken cancellationToken)
    {
        folder = System.IO.Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        var hqFile = System.IO.Path.Combine(folder, "hq.db");
        await SampleData.CreateAsync(hqFile, products, seed: 1, cancellationToken).ConfigureAwait(false);

        var config = SampleConfiguration.Create();
        var configPath = System.IO.Path.Combine(folder, "asyncserver.json");
        ConfigurationLoader.Save(config, configPath);
        config = ConfigurationLoader.Load(configPath);

        var context = new EngineContext(config);
        await SampleSales.CreateTablesAsync(context.HqConnection, channel: false, cancellationToken).ConfigureAwait(false);
        await using (var hq = context.OpenChangeSource())
            await hq.EnableChangeTrackingAsync(SampleSchema.Tables, ParentFilters.OptionsFor(config, ChangeTrackingOptions.Default.Retention),
                cancellationToken).ConfigureAwait(false);
        await using (var store = context.OpenMessageStore())
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(config.DownloadFolder);
        Directory.CreateDirectory(config.UploadFolder);
        var channels = System.IO.Path.Combine(folder, "channels");
        Directory.CreateDirectory(channels);

        var rows = await CountRowsAsync(hqFile, cancellationToken).ConfigureAwait(false);
        return new SampleEnvironmentInfo(folder, configPath, hqFile, System.IO.Path.Combine(folder, "message.db"), config.DownloadFolder, channels, rows);
    }

    private static async Task<long> CountRowsAsync(string hqFile, CancellationToken ct)
    {
        var connection = Data.ResolvedConnection.FromString(Data.DatabaseProvider.Sqlite, $"Data Source={hqFile}");
        await using var conn = await Providers.Sqlite.SqliteConnections.OpenAsync(connection, create: false, ct).ConfigureAwait(false);
        long total = 0;
        foreach (var table in SampleSchema.Tables)
            total += Convert.ToInt64(
                await Providers.Sqlite.SqliteConnections.ScalarAsync(conn, $"SELECT COUNT(*) FROM \"{table}\"", ct).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
        return total;
    }
}
