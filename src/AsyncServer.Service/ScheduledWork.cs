using AsyncServer.Scheduling;

namespace AsyncServer.Service;

/// <summary>Something the service runs on a recurrence: a distribution schedule, or the client for one store.</summary>
public sealed class ScheduledWork
{
    public required string Name { get; init; }
    public required string Command { get; init; }
    /// <summary>
    /// The cmdlet's parameters, built afresh for every run: what they read from files (the endpoint client's secret) is read
    /// when the run starts, so a rotated secret needs no restart of the service.
    /// </summary>
    public required Func<IReadOnlyDictionary<string, object>> Parameters { get; init; }
    public required Recurrence Recurrence { get; init; }
    /// <summary>When the last run started (from the message database at start-up for schedules).</summary>
    public DateTimeOffset? LastStart { get; set; }
    public DateTimeOffset? NextDue { get; set; }

    public override string ToString() => Name;
}
