namespace AsyncServer.Client;

/// <summary>What Receive-AsyncPackage was asked to do.</summary>
public sealed record ReceiveRequest(string ChannelDatabase)
{
    /// <summary>Overrides the channel database's connection from the configuration (SQLite: a connection string such as <c>Data Source=store.db</c>).</summary>
    public string? ChannelConnectionString { get; init; }
    /// <summary>Provider of <see cref="ChannelConnectionString"/>; default sqlite.</summary>
    public string? ChannelProvider { get; init; }
    /// <summary>Where packages are copied before they are applied; default <c>client/&lt;channel database&gt;</c> beside the configuration.</summary>
    public string? LocalFolder { get; init; }
    /// <summary>Stop after this many sessions (0 = all that are pending).</summary>
    public int MaxSessions { get; init; }
}

/// <summary>What the client would do with one pending session (shown by -WhatIf).</summary>
public sealed record ReceivePlanItem(long SessionId, string JobId, string DataGroup, string ChannelDatabase, string Action, string? Reason)
{
    public override string ToString()
        => $"{Action} session {SessionId} (job {JobId}, data group {DataGroup}) at {ChannelDatabase}" + (Reason is null ? "" : $": {Reason}");
}

/// <summary>Progress of Receive-AsyncPackage, reported through IProgress.</summary>
public sealed record ReceiveProgress(string Activity, string Status, int PercentComplete);

/// <summary>Client-side tuning that users rarely change; tests shorten the lease and step in between stages.</summary>
public sealed record ReceiveOptions
{
    /// <summary>
    /// How long the claim on a channel database lasts without renewal (renewed every third of it).
    /// Default: the configuration's leaseSeconds.
    /// </summary>
    public TimeSpan? LeaseDuration { get; init; }
    /// <summary>Called after a session's package is copied and checked, before its target moves to Downloaded.</summary>
    internal Func<long, CancellationToken, Task>? AfterDownload { get; init; }
    /// <summary>Called after the package is verified, just before it is applied (with the token that stops the apply).</summary>
    internal Func<long, CancellationToken, Task>? BeforeApply { get; init; }
}
