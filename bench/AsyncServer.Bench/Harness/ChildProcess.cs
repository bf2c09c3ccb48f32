using System.Diagnostics;
using System.Text.Json;

namespace AsyncServer.Bench.Harness;

/// <summary>
/// Runs one step in a fresh process of this same program, so that each measurement has its own peak
/// memory, its own JIT and GC state, and nothing left over from data generation.
/// </summary>
internal static class ChildProcess
{
    public static Measurement Run(Scenario scenario, params string[] arguments)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var (name, value) in scenario.ChildEnvironment) psi.Environment[name] = value;
        // Started as `dotnet AsyncServer.Bench.dll`: pass the assembly again.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        Measurement? result = null;
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            if (line.StartsWith(Measurement.Prefix, StringComparison.Ordinal))
                result = JsonSerializer.Deserialize<Measurement>(line[Measurement.Prefix.Length..], Json.Options);
            else
                Console.Error.WriteLine(line);
        }
        process.WaitForExit();
        if (process.ExitCode != 0 || result is null)
            throw new InvalidOperationException($"Bench step '{string.Join(' ', arguments)}' failed (exit {process.ExitCode}).");
        return result;
    }
}
