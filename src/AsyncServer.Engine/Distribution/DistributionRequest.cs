namespace AsyncServer.Distribution;

/// <summary>What Start-AsyncDistribution was asked to do.</summary>
public sealed record DistributionRequest
{
    /// <summary>Run these schedules (their jobs x data groups).</summary>
    public IReadOnlyList<string> Schedules { get; init; } = [];
    /// <summary>Or run these jobs ...</summary>
    public IReadOnlyList<string> Jobs { get; init; } = [];
    /// <summary>... for these data groups (all data groups when empty).</summary>
    public IReadOnlyList<string> DataGroups { get; init; } = [];
    /// <summary>Package every row instead of the changes.</summary>
    public bool FullSync { get; init; }
    /// <summary>Full sync only these channel databases (their data groups are implied); the row version does not move.</summary>
    public IReadOnlyList<string> ChannelDatabases { get; init; } = [];
    /// <summary>With a full sync: the channel empties the job's tables before applying.</summary>
    public bool DeleteExistingData { get; init; }
    /// <summary>Leave packages in the staging folder for Publish-AsyncPackage.</summary>
    public bool NoPublish { get; init; }
    /// <summary>When set, only these runs ("JOB|GROUP") of the expansion; how -Confirm declines some.</summary>
    public IReadOnlyList<string>? OnlyRuns { get; init; }
}

/// <summary>Tuning that users rarely change; tests shorten the lease.</summary>
public sealed record DistributionOptions
{
    /// <summary>How long a claim on (data group, job) lasts without renewal; a crashed instance's work is taken over after it.</summary>
    /// <summary>Default: the configuration's leaseSeconds.</summary>
    public TimeSpan? LeaseDuration { get; init; }
    /// <summary>How often a running distribution checks whether an operator canceled a session it is creating.</summary>
    public TimeSpan CancellationPollInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Called after the packages of a run are on disk and before they are recorded (tests simulate crashes here).</summary>
    internal Func<IReadOnlyList<string>, CancellationToken, Task>? AfterPackagesWritten { get; init; }
}

/// <summary>One (job, data group) unit of work.</summary>
public sealed record PlannedRun(
    Configuration.JobSettings Job, Configuration.DataGroupSettings DataGroup, IReadOnlyList<string> ChannelDatabases, bool Targeted);

/// <summary>What a run would do, as shown by -WhatIf.</summary>
public sealed record DistributionPlanItem(
    string JobId, string DataGroup, string Kind, long? FromVersion, long ToVersion, string? Reason, IReadOnlyList<string> ChannelDatabases)
{
    public override string ToString() =>
        $"{Kind} distribution of job {JobId} to data group {DataGroup} ({(FromVersion is null ? "all rows" : $"versions {FromVersion}..{ToVersion}")})" +
        (Reason is null ? "" : $": {Reason}");
}

/// <summary>Progress of a distribution, reported through IProgress.</summary>
public sealed record DistributionProgress(string Activity, string Status, int PercentComplete, long RowsWritten);
