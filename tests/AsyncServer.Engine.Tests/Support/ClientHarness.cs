using AsyncServer.Tests.Support;
using System.Globalization;
using AsyncServer.Client;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Samples;
using System.Data.Common;
using AsyncServer.Providers;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AsyncServer.Tests.Support;

/// <summary>
/// A complete sample setup in a temp folder (HQ, message database, four store databases, working folders),
/// with the real distribution runner and the real client, plus a way to compare a store with what HQ says
/// it should hold.
/// </summary>
public sealed class ClientHarness : IAsyncDisposable
{
    private readonly TempFolder _folder = new("client");

    private ClientHarness() { }

    public string Folder => _folder.Path;
    public AsyncServerConfiguration Config { get; private set; } = null!;
    public EngineContext Context { get; private set; } = null!;
    public string HqFile => Path.Combine(Folder, "hq.db");

    /// <summary>The connection string of HQ when it is on PostgreSQL; null when HQ is the SQLite file.</summary>
    public string? PostgresHq { get; private set; }

    /// <summary>A random HQ change round (SampleData.ChangeAsync or its PostgreSQL counterpart), deterministic for the seed.</summary>
    public Task<SampleChangeSummary> ChangeHqAsync(int seed, int inserts, int updates, int deletes, int churn) => PostgresHq is null
        ? SampleData.ChangeAsync(HqFile, seed, inserts, updates, deletes, churn: churn)
        : PostgresSampleHq.ChangeAsync(PostgresHq, seed, inserts, updates, deletes, churn);

    /// <summary>
    /// The sample environment. By default the ECORESPRODUCT subjob (filtered through INVENTTABLE by EXISTS) is left
    /// out, so that a test's packages hold only the tables it is about; <paramref name="withExistsSubjob"/> keeps it
    /// (the convergence property test does, with random parent changes: <see cref="ChangeParentsAsync"/>).
    /// </summary>
    /// <param name="postgres">When given, the message database and every channel database are PostgreSQL
    /// databases on this server.</param>
    /// <param name="postgresHq">With <paramref name="postgres"/>: HQ too is a PostgreSQL database there, a copy of the
    /// SQLite sample (PostgresSampleHq); change it with ChangeHqAsync.</param>
    public static async Task<ClientHarness> CreateAsync(int products = 40, bool withExistsSubjob = false, Action<AsyncServerConfiguration>? configure = null,
        PostgresServer? postgres = null, bool postgresHq = false)
    {
        var h = new ClientHarness { _postgres = postgres };
        var info = await SampleEnvironment.CreateAsync(h.Folder, products, default);
        var config = ConfigurationLoader.Load(info.ConfigurationPath);
        if (!withExistsSubjob)
            foreach (var job in config.Jobs) job.Subjobs.RemoveAll(s => s.Equals("ECORESPRODUCT", StringComparison.OrdinalIgnoreCase));
        if (postgres is not null)
        {
            config.MessageDatabase = new ConnectionSettings { Provider = "postgresql", ConnectionString = await postgres.CreateDatabaseAsync("harnessmsg") };
            await using (var store = ProviderFactory.CreateMessageStore(ResolvedConnection.Resolve(config.MessageDatabase, "$.messageDatabase", h.Folder)))
                await store.InitializeAsync(default);
            foreach (var db in config.DataGroups.SelectMany(g => g.ChannelDatabases))
                db.Connection = await h.NewChannelConnectionAsync(db.Id);
            if (postgresHq)
            {
                h.PostgresHq = await postgres.CreateDatabaseAsync("harnesshq");
                await PostgresSampleHq.CreateAsync(h.PostgresHq, h.HqFile);
                config.Hq = new ConnectionSettings { Provider = "postgresql", ConnectionString = h.PostgresHq };
            }
        }
        configure?.Invoke(config);
        ConfigurationLoader.Save(config, info.ConfigurationPath);
        h.Use(ConfigurationLoader.Load(info.ConfigurationPath));
        return h;
    }

    /// <summary>Switches to a changed configuration (for example with a new channel database).</summary>
    public void Use(AsyncServerConfiguration config)
    {
        Config = config;
        Context = new EngineContext(config, instanceId: "test:1");
    }

    public void Reconfigure(Action<AsyncServerConfiguration> change)
    {
        change(Config);
        ConfigurationLoader.Save(Config, Config.SourcePath!);
        Use(ConfigurationLoader.Load(Config.SourcePath!));
    }

    private PostgresServer? _postgres;

    /// <summary>A connection for a new channel database: a SQLite file under channels/, or a new PostgreSQL database.</summary>
    public async Task<ConnectionSettings> NewChannelConnectionAsync(string id) => _postgres is null
        ? new ConnectionSettings { ConnectionString = $"Data Source=channels/{id}.db" }
        : new ConnectionSettings { Provider = "postgresql", ConnectionString = await _postgres.CreateDatabaseAsync("harness" + id) };

    public IEnumerable<string> ChannelDatabases => Config.DataGroups.SelectMany(g => g.ChannelDatabases).Select(d => d.Id);

    public Task<IReadOnlyList<DownloadSessionRecord>> DistributeAsync(DistributionRequest? request = null, DistributionOptions? options = null)
        => new DistributionRunner(Context, options).RunAsync(request ?? new DistributionRequest { Jobs = Config.Jobs.Select(j => j.Id).ToList() }, null, default);

    /// <summary>How stores receive: null for the direct client; set to receive over the endpoint (EndpointReceiving).</summary>
    public Func<string, int, Task<IReadOnlyList<DownloadSession>>>? Receiver { get; set; }

    public Task<IReadOnlyList<DownloadSession>> ReceiveAsync(string db, int maxSessions = 0) => Receiver is { } receive
        ? receive(db, maxSessions)
        : new PackageReceiver(Context).RunAsync(new ReceiveRequest(db) { MaxSessions = maxSessions }, null, default);

    public async Task<IReadOnlyList<DownloadSessionRecord>> PendingAsync(string db)
    {
        await using var store = Context.OpenMessageStore();
        return await store.GetPendingSessionsAsync(db, default);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> SessionsAsync(SessionQuery? query = null)
    {
        await using var store = Context.OpenMessageStore();
        return await store.QuerySessionsAsync(query ?? new SessionQuery(), default);
    }

    public async Task<DownloadSessionRecord> SessionAsync(long id) => (await SessionsAsync(new SessionQuery { Ids = [id] })).Single();

    public static SessionTargetRecord Target(DownloadSessionRecord s, string db) => s.Targets.Single(t => t.ChannelDatabase == db);

    public string ChannelFile(string db) => Path.Combine(Folder, "channels", db + ".db");

    public string PackagePath(DownloadSessionRecord s) => Path.Combine(Config.DownloadFolder, s.PackageFile!);

    /// <summary>
    /// Differences between a channel database and the filtered, field-mapped projection of HQ for its data
    /// group, table by table (empty when they are equal). Values are compared by their logical type.
    /// </summary>
    public async Task<IReadOnlyList<string>> DifferencesAsync(string db, params string[] onlyJobs)
    {
        var (group, settings) = Config.FindChannelDatabase(db)!.Value;
        var subjobs = Config.Jobs.Where(j => onlyJobs.Length == 0 || onlyJobs.Contains(j.Id)).SelectMany(j => j.Subjobs).Distinct(StringComparer.OrdinalIgnoreCase).Select(id => Config.FindSubjob(id)!).ToList();
        var differences = new List<string>();
        // The schema is described from the SQLite sample, which has the same tables and logical types as its PostgreSQL copy.
        await using var hqSqlite = await SqliteConnections.OpenAsync(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={HqFile}"), false, default);
        await using DbConnection hq = PostgresHq is null ? hqSqlite : new NpgsqlConnection(PostgresHq);
        if (hq is NpgsqlConnection hqNpgsql) await hqNpgsql.OpenAsync();
        var channelConnection = ResolvedConnection.Resolve(settings.Connection, "$.channel", Folder);
        var channelExists = channelConnection.Provider != DatabaseProvider.Sqlite || File.Exists(ChannelFile(db));
        await using var channelTarget = ProviderFactory.CreateChannelTarget(channelConnection);
        await using DbConnection? channel = !channelExists ? null : channelConnection.Provider == DatabaseProvider.Sqlite
            ? await SqliteConnections.OpenAsync(channelConnection, false, default)
            : new NpgsqlConnection(channelConnection.ConnectionString);
        if (channel is NpgsqlConnection npgsql) await npgsql.OpenAsync();
        // PostgreSQL keeps timestamps to the microsecond (10 ticks); SQLite keeps every tick.
        var tickPrecision = channelConnection.Provider == DatabaseProvider.PostgreSql || PostgresHq is not null ? 10 : 1;
        foreach (var subjob in subjobs)
        {
            var hqSchema = (await SqliteChangeSource.DescribeAsync(hqSqlite, subjob.HqTable, default))!;
            var map = subjob.Fields.Count > 0 ? subjob.Fields.ToList() : hqSchema.Columns.Select(c => new KeyValuePair<string, string>(c.Name, c.Name)).ToList();
            var types = map.Select(m => hqSchema.Find(m.Key)!.Type).ToList();
            // Written by hand, not by the engine's filter renderer, so that the projection is an independent oracle.
            var where = subjob.Filter?.Trim() switch
            {
                null => "",
                "DATAAREAID = @DataAreaId" => " WHERE x.\"DATAAREAID\" = @p",
                ProductFilter => " WHERE EXISTS (SELECT 1 FROM \"INVENTTABLE\" i WHERE i.\"PRODUCT\" = x.\"RECID\" AND i.\"DATAAREAID\" = @p)",
                _ => throw new InvalidOperationException($"The harness projects only DATAAREAID filters and the sample's product filter, not '{subjob.Filter}'."),
            };
            var expected = await ReadAsync(hq, tickPrecision, $"SELECT {string.Join(", ", map.Select(m => $"x.\"{m.Key}\""))} FROM \"{subjob.HqTable}\" AS x{where}", types,
                ("@p", settings.Parameters.GetValueOrDefault("DataAreaId")));
            var channelSchema = channel is null ? null : await channelTarget.DescribeTableAsync(subjob.EffectiveChannelTable, default);
            var actual = channelSchema is null ? [] : await ReadAsync(channel!, tickPrecision, $"SELECT {string.Join(", ", map.Select(m => $"\"{m.Value}\""))} FROM \"{subjob.EffectiveChannelTable}\"", types);
            var missing = expected.Except(actual).ToList();
            var extra = actual.Except(expected).ToList();
            if (missing.Count > 0 || extra.Count > 0)
                differences.Add($"{db}.{subjob.EffectiveChannelTable}: {missing.Count} row(s) missing (e.g. {missing.FirstOrDefault()}), {extra.Count} row(s) extra (e.g. {extra.FirstOrDefault()})");
        }
        return differences;
    }

    /// <summary>The sample's ECORESPRODUCT filter (SampleConfiguration): products released to the data group's legal entity.</summary>
    private const string ProductFilter = "EXISTS INVENTTABLE (PRODUCT = RECID AND DATAAREAID = @DataAreaId)";

    /// <summary>
    /// Random changes of the parent of the product filter (ParentChanges), on HQ wherever it is; deterministic for the seed.
    /// </summary>
    public async Task<string> ChangeParentsAsync(int seed, int count)
    {
        await using DbConnection hq = PostgresHq is null
            ? await SqliteConnections.OpenAsync(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={HqFile}"), false, default)
            : new NpgsqlConnection(PostgresHq);
        if (hq is NpgsqlConnection npgsql) await npgsql.OpenAsync();
        return await ParentChanges.ApplyAsync(hq, new Random(seed), count, _deletedItems);
    }

    /// <summary>INVENTTABLE rows deleted by <see cref="ChangeParentsAsync"/>, which a later change may insert again.</summary>
    private readonly List<object?[]> _deletedItems = [];

    private static async Task<List<string>> ReadAsync(DbConnection conn, long tickPrecision, string sql, IReadOnlyList<LogicalType> types, params (string, object?)[] parameters)
    {
        var rows = new List<string>();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = n;
            p.Value = v ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            rows.Add(string.Join("|", types.Select((t, i) => Normalize(r, i, t, tickPrecision))));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static string Normalize(DbDataReader r, int i, LogicalType type, long tickPrecision)
    {
        if (r.IsDBNull(i)) return "∅";
        return type switch
        {
            LogicalType.Decimal => r.GetDecimal(i).ToString("0.############################", CultureInfo.InvariantCulture),
            LogicalType.Double => r.GetDouble(i).ToString("R", CultureInfo.InvariantCulture),
            LogicalType.DateTime or LogicalType.Date => (r.GetDateTime(i).Ticks / tickPrecision * tickPrecision).ToString(CultureInfo.InvariantCulture),
            LogicalType.Guid => r.GetGuid(i).ToString("D"),
            LogicalType.Binary => Convert.ToBase64String(r.GetFieldValue<byte[]>(i)),
            LogicalType.Boolean => r.GetBoolean(i) ? "1" : "0",
            LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64 => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            _ => r.GetString(i),
        };
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
