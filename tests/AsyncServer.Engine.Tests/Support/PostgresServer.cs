using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AsyncServer.Tests.Support;

/// <summary>
/// A PostgreSQL server for the tests: the one named by ASYNCSERVER_TEST_POSTGRES (an admin connection
/// string) when set, else a throwaway PostgreSQL started here (initdb into a temp folder, pg_ctl on a free
/// loopback port; as the postgres user when running as root, because the server refuses to run as root).
/// Whatever it started it stops on Dispose and on process exit; servers left by a killed test run are
/// stopped by the next one (their owner.pid names a process that is gone).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string EnvironmentVariable = "ASYNCSERVER_TEST_POSTGRES";
    private const string FolderPrefix = "asyncserver-pg-";

    private readonly string? _folder;
    private readonly List<string> _createdDatabases = [];
    private int _counter;
    private int _stopped;

    // The engine sets this when it loads; the tests may touch Npgsql first, so they set it too.
    static PostgresServer() => AppContext.SetSwitch("Npgsql.DisableDateTimeInfinityConversions", true);

    public PostgresServer()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            return;
        }
        StopAbandonedServers();
        _folder = Path.Combine("/tmp", FolderPrefix + Guid.NewGuid().ToString("N")[..12]);
        AdminConnectionString = StartLocal(_folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>Superuser connection to the maintenance database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Creates an empty database and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string hint)
    {
        var safe = new string(hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
        var name = $"t_{safe}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var conn = new NpgsqlConnection(AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        lock (_createdDatabases) _createdDatabases.Add(name);
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = name,
            // Many small databases: idle pooled connections are closed quickly so the server never runs out.
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        };
        return builder.ConnectionString;
    }

    private static string StartLocal(string folder)
    {
        var asPostgres = Environment.UserName == "root";
        Run("mkdir", ["-p", folder], asPostgres);
        File.WriteAllText(Path.Combine(folder, "owner.pid"), Environment.ProcessId.ToString());
        var data = Path.Combine(folder, "data");
        Run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], asPostgres);
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                          "-c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB";
            try
            {
                Run("pg_ctl", ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", options, "start"], asPostgres);
                return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=30;Command Timeout=120";
            }
            catch (InvalidOperationException ex)
            {
                last = ex; // the port was taken between probing and starting: try another
            }
        }
        throw new InvalidOperationException($"Could not start PostgreSQL in {folder}: {last?.Message}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void Run(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", file }) psi.ArgumentList.Add(a);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}{stdout.Result}");
    }

    /// <summary>Servers whose test process died without stopping them (for example killed by CI).</summary>
    private static void StopAbandonedServers()
    {
        foreach (var folder in Directory.EnumerateDirectories("/tmp", FolderPrefix + "*"))
        {
            var ownerFile = Path.Combine(folder, "owner.pid");
            if (!File.Exists(ownerFile) || !int.TryParse(File.ReadAllText(ownerFile).Trim(), out var pid) || IsAlive(pid)) continue;
            StopFolder(folder);
        }
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    private static void StopFolder(string folder)
    {
        var data = Path.Combine(folder, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try { Run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], Environment.UserName == "root"); }
            catch (InvalidOperationException) { /* already stopped */ }
        }
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        NpgsqlConnection.ClearAllPools();
        if (_folder is not null)
        {
            StopFolder(_folder);
            return;
        }
        // An external server: drop what we created, leave the server alone.
        try
        {
            using var conn = new NpgsqlConnection(AdminConnectionString);
            conn.Open();
            List<string> names;
            lock (_createdDatabases) names = [.. _createdDatabases];
            foreach (var name in names)
            {
                using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
                cmd.ExecuteNonQuery();
            }
        }
        catch (NpgsqlException) { }
    }

    public void Dispose() => Stop();
}
