using AsyncServer.Messaging;

namespace AsyncServer.Endpoint;

/// <summary>
/// Which report a target in a given status accepts: the same machine as the reference client (docs/client.md):
/// a pending target -> Requested -> Downloaded -> Applied, with DownloadFailed / ApplyFailed from Requested or
/// Downloaded, and Skipped (Canceled) from any pending status when the receive planner says so. A repeated report
/// of the status the target is already in changes nothing (a retried request
/// after a lost response); anything else is refused, so nothing is ever applied twice.
/// </summary>
public static class TargetStateMachine
{
    public enum Decision { Move, AlreadyThere, Refuse }

    public static SessionStatus StatusOf(ReportStage stage) => stage switch
    {
        ReportStage.Requested => SessionStatus.Requested,
        ReportStage.Downloaded => SessionStatus.Downloaded,
        ReportStage.Applied => SessionStatus.Applied,
        ReportStage.DownloadFailed => SessionStatus.DownloadFailed,
        ReportStage.ApplyFailed => SessionStatus.ApplyFailed,
        ReportStage.Skipped => SessionStatus.Canceled,
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };

    /// <param name="givenUp">The target failed as often as the configuration's tryCount allows: only an operator's rerun releases it.</param>
    public static Decision Decide(SessionStatus current, ReportStage stage, bool givenUp)
    {
        if (current == StatusOf(stage) && stage != ReportStage.Requested) return Decision.AlreadyThere;
        return stage switch
        {
            ReportStage.Requested when givenUp => Decision.Refuse,
            ReportStage.Requested => TargetStatuses.IsPending(current) ? Decision.Move : Decision.Refuse,
            ReportStage.Downloaded => current == SessionStatus.Requested ? Decision.Move : Decision.Refuse,
            ReportStage.Applied => current == SessionStatus.Downloaded ? Decision.Move : Decision.Refuse,
            // A superseded session is skipped whatever it went through, as the direct client does (ReceivePlanner decides first).
            ReportStage.Skipped => TargetStatuses.IsPending(current) ? Decision.Move : Decision.Refuse,
            ReportStage.DownloadFailed or ReportStage.ApplyFailed =>
                current is SessionStatus.Requested or SessionStatus.Downloaded ? Decision.Move : Decision.Refuse,
            _ => Decision.Refuse,
        };
    }

    /// <summary>The statuses a failure suspends later sessions of the same channel database from (as PackageReceiver does).</summary>
    public static readonly IReadOnlyList<SessionStatus> SuspendedBehindFailure = [SessionStatus.Available, SessionStatus.Requested, SessionStatus.Downloaded];
}
