using System.Globalization;

namespace AsyncServer.Bench.Harness;

/// <summary>
/// Marks a measured window on standard error (<c>WINDOW start|end unix-seconds label</c>), so that a CPU sampler or
/// <c>perf record -k CLOCK_REALTIME</c> outside the bench can keep what falls inside it (docs/benchmarks.md).
/// </summary>
internal static class WindowMarks
{
    public static void Start(string label) => Write("start", label);

    public static void End(string label) => Write("end", label);

    private static void Write(string edge, string label) => Console.Error.WriteLine(
        string.Create(CultureInfo.InvariantCulture, $"WINDOW {edge} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:F3} {label}"));
}
