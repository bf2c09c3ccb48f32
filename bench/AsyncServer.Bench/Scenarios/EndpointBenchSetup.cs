using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Configuration;
using AsyncServer.Distribution;
using AsyncServer.Samples;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// The endpoint scenarios' data: the sample environment with <c>stores</c> extra channel databases in USRT-Stores
/// (S0001...), the message database on PostgreSQL or SQLite, one distribution of job 1020, and a credential per store
/// (the secrets are written to stores.txt in the folder: benchmark data, nothing real).
/// </summary>
internal static class EndpointBenchSetup
{
    public static string ConfigurationPath(string folder) => Path.Combine(folder, "asyncserver.json");
    private static string StoresFile(string folder) => Path.Combine(folder, "stores.txt");

    public static async Task CreateAsync(string folder, int stores, bool postgres)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var info = await SampleEnvironment.CreateAsync(folder, 20, CancellationToken.None);
        var config = ConfigurationLoader.Load(info.ConfigurationPath);
        if (postgres) config.MessageDatabase = await new PostgresBackend().NewMessageDatabaseAsync(folder);
        var group = config.FindDataGroup("USRT-Stores")!;
        for (var i = 1; i <= stores; i++)
            group.ChannelDatabases.Add(new ChannelDatabaseSettings
            {
                Id = $"S{i:D4}", Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = "usrt" },
            });
        ConfigurationLoader.Save(config, info.ConfigurationPath);
        var context = await EngineSetup.InitializeAsync(ConfigurationLoader.Load(ConfigurationPath(folder)));
        await new DistributionRunner(context).RunAsync(new DistributionRequest { Jobs = ["1020"] }, null, CancellationToken.None);
        var lines = new List<string>();
        var endpoint = context.OpenEndpointStore();
        foreach (var db in group.ChannelDatabases.Select(d => d.Id))
            lines.Add($"{db}:{(await endpoint.CreateCredentialAsync(db, null, CancellationToken.None)).Secret}");
        await File.WriteAllLinesAsync(StoresFile(folder), lines);
    }

    /// <summary>Each store's Basic authorization value, in the order they were created.</summary>
    public static IReadOnlyList<(string Store, string Authorization)> Stores(string folder)
        => File.ReadAllLines(StoresFile(folder)).Select(l => (l[..l.IndexOf(':')], Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(l)))).ToList();
}
