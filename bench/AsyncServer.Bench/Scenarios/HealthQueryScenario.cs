using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Operations;
using Npgsql;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// Issue 16: Get-AsyncChannelHealth's read (one set-based query, then the state rules) over a PostgreSQL message database
/// holding 5,000 channel databases in 20 data groups and 1,000,000 targets (200 sessions per store: most Applied, the
/// newest five pending, one store in fifty blocked behind a failure, nine in ten with an endpoint contact).
/// Quick mode: 500 channel databases, 20 sessions each (10,000 targets).
/// </summary>
internal sealed class HealthQueryScenario : Scenario
{
    private const int Groups = 20;

    public override string Name => "health/postgresql";
    public override string Provider => "postgresql";
    public override string Description => "Get-AsyncChannelHealth's read: every channel database's activity in one query, then each one's state";
    public override string FloorDescription => "SELECT channel_database, count(*) FROM session_targets GROUP BY channel_database (bare Npgsql)";

    private static (int Stores, int SessionsPerStore) Size(BenchContext c) => c.Quick ? (500, 20) : (5_000, 200);

    private static string DatabaseName(BenchContext c) => $"bench_health_{Size(c).Stores}_{Size(c).SessionsPerStore}_v1";

    private static AsyncServerConfiguration Configuration(BenchContext c) => new()
    {
        Partition = "bench",
        MessageDatabase = new ConnectionSettings { Provider = "postgresql", ConnectionString = PostgresBackend.ConnectionTo(DatabaseName(c)) },
        DataGroups = Enumerable.Range(0, Groups).Select(g => new DataGroupSettings
        {
            Id = $"G{g:D2}",
            ChannelDatabases = Enumerable.Range(0, Size(c).Stores / Groups).Select(i => new ChannelDatabaseSettings { Id = Store(g, i, c) }).ToList(),
        }).ToList(),
    };

    private static string Store(int group, int index, BenchContext c) => $"S{group * (Size(c).Stores / Groups) + index:D5}";

    public override async Task PrepareAsync(BenchContext context)
    {
        var name = DatabaseName(context);
        await using (var admin = new NpgsqlConnection(BenchPostgres.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @n", admin);
            exists.Parameters.AddWithValue("n", name);
            if ((long)(await exists.ExecuteScalarAsync())! > 0) return;
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}_new\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var building = Configuration(context);
        building.MessageDatabase!.ConnectionString = PostgresBackend.ConnectionTo(name + "_new");
        await EngineSetup.InitializeAsync(building);
        await FillAsync(building.MessageDatabase.ConnectionString, context);
        // Renamed only when complete, so an interrupted preparation is never measured.
        await using var rename = new NpgsqlConnection(BenchPostgres.AdminConnectionString);
        await rename.OpenAsync();
        NpgsqlConnection.ClearAllPools();
        await using var cmd = new NpgsqlCommand($"ALTER DATABASE \"{name}_new\" RENAME TO \"{name}\"", rename);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Set-based generation: sessions per data group, a target per session and store of the group, contacts.</summary>
    private static async Task FillAsync(string connectionString, BenchContext c)
    {
        var (stores, sessions) = Size(c);
        var perGroup = stores / Groups;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var sql = $"""
            INSERT INTO asyncserver.download_sessions (partition, job_id, data_group, kind, to_version, part, status, row_count, instance_id, created_at)
            SELECT 'bench', '1040', 'G' || lpad(g::text, 2, '0'), 'Incremental', k, 1, 'Available', 10, 'bench', now() - make_interval(mins => {sessions} - k)
            FROM generate_series(0, {Groups - 1}) g, generate_series(1, {sessions}) k;
            INSERT INTO asyncserver.session_targets (session_id, channel_database, status, tries, updated_at, message)
            SELECT s.id, 'S' || lpad((substr(s.data_group, 2)::int * {perGroup} + i)::text, 5, '0'),
                CASE WHEN i % 50 = 0 AND s.to_version = {sessions - 10} THEN 'ApplyFailed'
                     WHEN i % 50 = 0 AND s.to_version > {sessions - 10} THEN 'Suspended'
                     WHEN s.to_version > {sessions - 5} THEN 'Available' ELSE 'Applied' END,
                0, s.created_at + interval '1 minute', CASE WHEN i % 50 = 0 AND s.to_version = {sessions - 10} THEN 'bench failure' END
            FROM asyncserver.download_sessions s, generate_series(0, {perGroup - 1}) i;
            INSERT INTO asyncserver.channel_contacts (channel_database, last_contact_at, client_version, remote_address)
            SELECT 'S' || lpad(n::text, 5, '0'), now() - make_interval(secs => n % 600), 'bench/1.0', '127.0.0.1'
            FROM generate_series(0, {stores - 1}) n WHERE n % 10 <> 0;
            ANALYZE;
            """;
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 1800 };
        await cmd.ExecuteNonQueryAsync();
    }

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var engine = new EngineContext(Configuration(context), instanceId: "bench:1");
        var watch = BenchWatch.StartNew();
        var health = await new ChannelHealthBrowser(engine).GetAsync(default);
        watch.Stop();
        var (stores, sessions) = Size(context);
        var targets = health.Sum(h => h.PendingSessions) + health.Sum(h => h.LastAppliedSession is null ? 0 : 1);
        var blocked = Groups * ((stores / Groups + 49) / 50); // index 0, 50, 100, ... of each data group
        if (health.Count != stores || health.Count(h => h.State == ChannelHealthState.Blocked) != blocked)
            throw new InvalidOperationException($"Expected {stores} stores ({blocked} blocked), read {health.Count}.");
        var states = string.Join(", ", health.GroupBy(h => h.State).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
        return Measurement.Capture(watch, stores, 0, $"{stores} channel databases, {stores * sessions} targets: {states} ({targets} rows summarized)");
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        await using var conn = new NpgsqlConnection(PostgresBackend.ConnectionTo(DatabaseName(context)));
        var watch = BenchWatch.StartNew();
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT channel_database, count(*) FROM asyncserver.session_targets GROUP BY channel_database", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = 0L;
        while (await reader.ReadAsync()) rows++;
        watch.Stop();
        return Measurement.Capture(watch, rows, 0);
    }
}
