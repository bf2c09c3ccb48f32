using AsyncServer.Client;
using AsyncServer.Messaging;

namespace AsyncServer.Endpoint;

/// <summary>
/// A store may skip (cancel at its channel database) only what the receive planner itself would skip there: a session
/// superseded by a later pending delete-existing full sync of its job, or one for a data group the channel database
/// left. The endpoint runs the same <see cref="ReceivePlanner"/> over the message database's pending sessions, so a
/// store cannot cancel anything else, and the recorded reason is the planner's, not the request's.
/// </summary>
public static class SkipCheck
{
    /// <summary>The planner's status message for skipping <paramref name="sessionId"/>, or null when it would not skip it.</summary>
    public static string? SkipMessage(IReadOnlyList<DownloadSessionRecord> pending, long sessionId, string channelDatabase, string dataGroup, int tryCount,
        DateTimeOffset now)
    {
        if (!pending.Any(s => s.Id == sessionId)) return null;
        var step = ReceivePlanner.Plan(pending, channelDatabase, dataGroup, tryCount, now).FirstOrDefault(x => x.Session.Id == sessionId);
        return step is { Action: ReceiveAction.Skip } ? step.Message : null;
    }
}
