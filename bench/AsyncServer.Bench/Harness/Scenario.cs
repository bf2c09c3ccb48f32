namespace AsyncServer.Bench.Harness;

/// <summary>
/// One benchmark scenario. <see cref="PrepareAsync"/> builds (or reuses) its data in the parent process;
/// <see cref="MeasureAsync"/> and <see cref="FloorAsync"/> each run in a fresh child process. The floor is
/// the bare database work of the same scenario with the same compression, so every figure has a ratio.
/// </summary>
internal abstract class Scenario
{
    /// <summary>Stable id, e.g. <c>full-sync/sqlite</c>; used on the command line and in results.</summary>
    public abstract string Name { get; }
    public abstract string Provider { get; }
    public abstract string Description { get; }
    public abstract string FloorDescription { get; }

    /// <summary>Environment variables of the child processes that measure it (none by default).</summary>
    public virtual IReadOnlyDictionary<string, string> ChildEnvironment { get; } = new Dictionary<string, string>();

    public abstract Task PrepareAsync(BenchContext context);
    public abstract Task<Measurement> MeasureAsync(BenchContext context);
    public abstract Task<Measurement> FloorAsync(BenchContext context);
}
