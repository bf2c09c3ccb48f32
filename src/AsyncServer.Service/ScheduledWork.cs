using AsyncServer.Scheduling;

namespace AsyncServer.Service;

/// <summary>Something the service runs on a recurrence: a distribution schedule, or the client for one store.</summary>
public sealed class ScheduledWork
{
    public required string Name { get; init; }
    public required string Command { get; init; }
    public required IReadOnlyDictionary<string, object> Parameters { get; init; }
    public required Recurrence Recurrence { get; init; }
    /// <summary>When the last run started (from the message database at start-up for schedules).</summary>
    public DateTimeOffset? LastStart { get; set; }
    public DateTimeOffset? NextDue { get; set; }

    public override string ToString() => Name;
}
