using AsyncServer.Configuration;
using AsyncServer.Messaging;
using AsyncServer.Operations;
using AsyncServer.Scheduling;

namespace AsyncServer.Service.Operations;

/// <summary>
/// What the status page shows, read fresh on each request (one health query, the schedules' latest sessions, the latest
/// failures). Only names, states, counts, times and failure reasons (which the engine stores without secrets) leave the
/// service: no connection string, address, credential or package path.
/// </summary>
public sealed class StatusPageData(EngineContext context)
{
    /// <summary>How many of the newest failures the page lists.</summary>
    public const int Failures = 25;

    private static readonly IReadOnlyList<SessionStatus> FailedStatuses = [SessionStatus.CreateFailed, SessionStatus.DownloadFailed, SessionStatus.ApplyFailed];

    public sealed record StoreRow(string ChannelDatabase, string DataGroup, string State, DateTimeOffset? LastContact, string ContactSource,
        int PendingSessions, double? OldestPendingSeconds, int FailedSessions, int BlockedSessions, long? BlockingSession, string? BlockingReason,
        long? LastAppliedSession, DateTimeOffset? LastAppliedAt);

    public sealed record ScheduleRow(string Name, bool Active, string Recurrence, DateTimeOffset? LastRun, string LastResult, string? LastMessage,
        DateTimeOffset? NextDue);

    public sealed record SessionRow(long Id, string Job, string DataGroup, string ChannelDatabase, string Status, string Kind, long RowCount,
        DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, string? Message);

    public sealed record Overview(DateTimeOffset CheckedAt, IReadOnlyList<StoreRow> Stores, IReadOnlyList<ScheduleRow> Schedules,
        IReadOnlyList<SessionRow> Failures, int SilentAfterSeconds);

    public async Task<Overview> OverviewAsync(CancellationToken ct)
    {
        var health = await new ChannelHealthBrowser(context).GetAsync(ct).ConfigureAwait(false);
        var config = context.Configuration;
        var schedules = await new ScheduleBrowser(context).GetAsync(config.Schedules, ct).ConfigureAwait(false);
        var failures = await new SessionBrowser(context)
            .GetAsync(new SessionQuery { Statuses = FailedStatuses, NewestFirst = true, Limit = Failures }, ct).ConfigureAwait(false);
        return new Overview(context.Time.GetUtcNow(), health.Select(Store).ToList(), schedules.Select(Schedule).ToList(),
            failures.Where(f => FailedStatuses.Contains(f.Status)).Take(Failures).Select(Session).ToList(),
            (int)config.Health.SilentAfter.TotalSeconds);
    }

    /// <summary>The sessions of one configured channel database, newest first; null when the configuration does not define it.</summary>
    public async Task<IReadOnlyList<SessionRow>?> SessionsOfAsync(string channelDatabase, CancellationToken ct)
    {
        if (context.Configuration.FindChannelDatabase(channelDatabase) is not { } found) return null;
        var query = new SessionQuery { ChannelDatabases = [found.Database.Id], NewestFirst = true, Limit = 100, IncludeNoData = false };
        var sessions = await new SessionBrowser(context).GetAsync(query, ct).ConfigureAwait(false);
        return sessions.Select(Session).ToList();
    }

    private static StoreRow Store(ChannelDatabaseHealth h) => new(h.ChannelDatabase, h.DataGroup, h.State.ToString(), h.LastContact, h.ContactSource,
        h.PendingSessions, h.OldestPendingAge?.TotalSeconds, h.FailedSessions, h.BlockedSessions, h.BlockingSession, h.BlockingReason,
        h.LastAppliedSession, h.LastAppliedAt);

    private static ScheduleRow Schedule(ScheduleStatus s)
        => new(s.Name, s.Active, s.Recurrence, s.LastRun, s.LastResult.ToString(), s.LastMessage, s.NextDue);

    private static SessionRow Session(DownloadSession s) => new(s.Id, s.Job, s.DataGroup, s.ChannelDatabase, s.Status.ToString(), s.Kind.ToString(),
        s.RowCount, s.CreatedAt, s.UpdatedAt, s.Message);
}
