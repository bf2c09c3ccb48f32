namespace AsyncServer.Bench.Harness;

/// <summary>Sizes of a run: the quick smoke run keeps every scenario but shrinks the tables.</summary>
internal sealed record BenchScale(long FullSyncRows, long SmallTableRows, long LargeTableRows, int IncrementalChanges, long ApplyRows,
    int FanOutChannelDatabases, int FanOutDataGroups, int FanOutJobs, long FanOutTableRows)
{
    public static readonly BenchScale Full = new(1_000_000, 100_000, 5_000_000, 10_000, 1_000_000, 500, 5, 6, 1_000);
    public static readonly BenchScale Quick = new(50_000, 10_000, 100_000, 1_000, 50_000, 500, 5, 6, 1_000);
}

/// <summary>Where a benchmark run keeps its data (out/bench, cached between runs) and how big it is.</summary>
internal sealed record BenchContext(bool Quick, string WorkRoot)
{
    public BenchScale Scale => Quick ? BenchScale.Quick : BenchScale.Full;

    /// <summary>Generated HQ databases, reused by later runs while the generator is unchanged.</summary>
    public string DataFolder(string name) => Directory.CreateDirectory(Path.Combine(WorkRoot, "data", name)).FullName;

    /// <summary>A fresh folder for one measurement (message database, packages).</summary>
    public string RunFolder(string name)
    {
        var path = Path.Combine(WorkRoot, "runs", name.Replace('/', '-'));
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        return Directory.CreateDirectory(path).FullName;
    }

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AsyncServer.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
