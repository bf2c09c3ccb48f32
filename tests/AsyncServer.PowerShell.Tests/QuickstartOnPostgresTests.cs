using AsyncServer.PowerShell.Commands;
using AsyncServer.Tests.Support;
using Npgsql;

namespace AsyncServer.PowerShell.Tests;

/// <summary>
/// The README's "quick start against PostgreSQL": examples/quickstart.ps1 with -MessageDatabase, the
/// connection string holding an ${env:NAME} placeholder, runs start to end and its sessions are in PostgreSQL.
/// </summary>
public sealed class QuickstartOnPostgresTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "asyncserver-tests", $"qs-pg-{Guid.NewGuid():N}");

    [Fact]
    public async Task The_quick_start_runs_with_a_postgresql_message_database()
    {
        var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("quickstart"));
        Environment.SetEnvironmentVariable("ASYNCSERVER_QUICKSTART_DB", database.Database);
        var placeholder = $"Host={database.Host};Port={database.Port};Username={database.Username};Database=${{env:ASYNCSERVER_QUICKSTART_DB}}";
        using var host = new PowerShellHost();
        var script = PowerShellHost.RepositoryFile("examples/quickstart.ps1");
        var module = typeof(StartAsyncDistributionCommand).Assembly.Location;
        var (_, ps) = host.Run($"& '{script}' -ModulePath '{module}' -Path '{_folder}' -MessageDatabase '{placeholder}' *> $null");
        Assert.False(ps.HadErrors, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));

        var config = await File.ReadAllTextAsync(Path.Combine(_folder, "asyncserver.json"));
        Assert.Contains("${env:ASYNCSERVER_QUICKSTART_DB}", config); // the configuration keeps the placeholder
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE kind = 'Full'), count(*) FILTER (WHERE kind = 'Incremental' AND status = 'Available') FROM asyncserver.download_sessions", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetInt64(0) >= 8, $"{reader.GetInt64(0)} full sessions"); // four jobs x two data groups
        Assert.True(reader.GetInt64(1) > 0);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
