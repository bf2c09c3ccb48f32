using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AsyncServer.Bench.Data;

/// <summary>
/// The PostgreSQL server of a benchmark run: the one named by ASYNCSERVER_BENCH_POSTGRES (an admin connection
/// string) when set, else a throwaway server started by the parent process (initdb into /tmp, pg_ctl on a free
/// loopback port, as the postgres user when running as root) and stopped when the run ends. Child processes
/// find it through the same environment variable. With a kept folder (<c>--keep-postgres</c>: out/bench/postgres)
/// the server's data directory survives the run, so the next run finds its datasets (the 5,000,000-row ones take
/// minutes to build) instead of initializing a new server.
/// </summary>
internal sealed class BenchPostgres : IDisposable
{
    public const string EnvironmentVariable = "ASYNCSERVER_BENCH_POSTGRES";
    private readonly string? _folder;
    private readonly bool _keep;

    private BenchPostgres(string? folder, bool keep = false) => (_folder, _keep) = (folder, keep);

    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(EnvironmentVariable);

    /// <summary>
    /// Starts a server unless one is configured: in <paramref name="keptFolder"/> when given (initialized there once,
    /// kept after the run), else a throwaway one in /tmp. Null when PostgreSQL binaries are missing.
    /// </summary>
    public static BenchPostgres? StartIfNeeded(string? keptFolder = null)
    {
        if (!string.IsNullOrWhiteSpace(AdminConnectionString)) return new BenchPostgres(null);
        SweepOrphans();
        var folder = keptFolder ?? Path.Combine(TempRoot, ThrowawayPrefix + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var asPostgres = Environment.UserName == "root";
            if (asPostgres && keptFolder is not null)
            {
                // Under the repository (root's): created by root, handed to the server's user.
                Directory.CreateDirectory(folder);
                Run("chown", ["postgres", folder], asPostgres: false);
            }
            else Run("mkdir", ["-p", folder], asPostgres);
            var data = Path.Combine(folder, "data");
            if (!File.Exists(Path.Combine(data, "PG_VERSION")))
                Run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], asPostgres);
            var port = FreePort();
            // Durability settings stay at their defaults except fsync: the engine and the floor run on the same
            // server, so the ratios compare like with like.
            var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=128MB";
            Run("pg_ctl", ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", options, "start"], asPostgres);
            Environment.SetEnvironmentVariable(EnvironmentVariable, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=30;Command Timeout=600");
            if (keptFolder is null) File.WriteAllText(Path.Combine(folder, OwnerFile), OwnerOf(Process.GetCurrentProcess()));
            return new BenchPostgres(folder, keptFolder is not null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"PostgreSQL could not be started ({ex.Message.Split('\n')[0]}); PostgreSQL scenarios are skipped.");
            return null;
        }
    }

    public void Dispose()
    {
        if (_folder is null) return;
        try { Run("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop"], Environment.UserName == "root"); }
        catch (InvalidOperationException ex) { Console.Error.WriteLine($"Stopping PostgreSQL failed: {ex.Message}"); }
        if (!_keep)
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        Environment.SetEnvironmentVariable(EnvironmentVariable, null);
    }

    private const string TempRoot = "/tmp";
    private const string ThrowawayPrefix = "asyncserver-bench-pg-";

    /// <summary>In a throwaway server's folder: the harness process that owns it (id and start time, since ids are reused).</summary>
    private const string OwnerFile = "harness.pid";

    private static string OwnerOf(Process p) => $"{p.Id} {p.StartTime.ToUniversalTime().Ticks}";

    /// <summary>
    /// Stops and removes the throwaway servers of harness runs that were killed (Ctrl+C, SIGKILL, a timeout): only an orderly end
    /// stops a run's server, and a leaked one keeps its memory and port until the machine restarts. A folder whose owner is
    /// alive, or that has no owner file yet (a run starting now), is left alone.
    /// </summary>
    private static void SweepOrphans()
    {
        foreach (var folder in Directory.EnumerateDirectories(TempRoot, ThrowawayPrefix + "*"))
        {
            string owner;
            try { owner = File.ReadAllText(Path.Combine(folder, OwnerFile)).Trim(); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (OwnerAlive(owner)) continue;
            Console.Error.WriteLine($"Stopping the PostgreSQL server a killed benchmark run left in {folder}.");
            try { Run("pg_ctl", ["-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop"], Environment.UserName == "root"); }
            catch (InvalidOperationException) { } // not running any more: only the folder is left
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool OwnerAlive(string owner)
    {
        var parts = owner.Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var id)) return false;
        try
        {
            using var p = Process.GetProcessById(id);
            return OwnerOf(p) == owner;
        }
        catch (ArgumentException) { return false; } // no such process
        catch (InvalidOperationException) { return false; } // it has just exited
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
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", file }) psi.ArgumentList.Add(a);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {stderr.Result}{stdout.Result}");
    }
}
