using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Packaging;

namespace AsyncServer.Client;

/// <summary>The store's side of a receive run: its channel database id, its own connection, and where packages wait before they are applied.</summary>
public sealed record ReceiveChannel(string Id, ResolvedConnection Connection, string LocalFolder);

/// <summary>
/// What a run sees of its channel database's pending work: the sessions in apply order (each with this channel
/// database's target), the data group the channel database belongs to now, the configuration's tryCount and
/// partition, and the time the planner judges retry backoffs by.
/// </summary>
public sealed record PendingWork(string DataGroup, int TryCount, string Partition, DateTimeOffset ListedAt, IReadOnlyList<DownloadSessionRecord> Sessions);

/// <summary>Where one session ended in a run, as the run saw it.</summary>
public sealed record ReceiveOutcome(DownloadSessionRecord Session, SessionStatus Status, string? Message);

/// <summary>
/// How a receive run reaches HQ: directly (the message database and the shared download folder,
/// <see cref="DirectReceiveTransport"/>) or over the HTTPS endpoint (Endpoint/EndpointReceiveTransport). The flow
/// itself (plan, claim, skip, transfer, check, apply, report) is written once, in <see cref="PackageReceiver"/>.
/// </summary>
public interface IReceiveTransport : IAsyncDisposable
{
    ReceiveChannel Channel { get; }

    /// <summary>The progress activity, naming the channel database (and the endpoint, when there is one).</summary>
    string Activity { get; }

    Task<PendingWork> ListAsync(CancellationToken ct);

    /// <summary>
    /// Claims the channel database for this run (one client at a time; its token is canceled when the claim is lost);
    /// WorkClaimedElsewhere when another client holds it.
    /// </summary>
    Task<ILeaseClaim> ClaimAsync(CancellationToken ct);

    /// <summary>Cancels a session the planner skips at this channel database; false when it was not pending any more (or HQ refused).</summary>
    Task<bool> SkipAsync(ReceiveStep step, CancellationToken ct);

    /// <summary>
    /// Moves the session's target to Requested, Downloaded, Applied, DownloadFailed or ApplyFailed (a failure counts a
    /// try and suspends the later sessions); false when the target was not in a status that allows it (canceled meanwhile).
    /// </summary>
    Task<bool> MoveAsync(DownloadSessionRecord session, SessionStatus to, string message, CancellationToken ct);

    /// <summary>
    /// Brings the package into <see cref="ReceiveChannel.LocalFolder"/>, its size and SHA-256 checked before anyone opens
    /// it; returns the local file, or null when the session is no longer pending. Throws when it cannot.
    /// </summary>
    Task<string?> DownloadAsync(DownloadSessionRecord session, CancellationToken ct);

    /// <summary>A session failed as often as tryCount allows: the later sessions are suspended behind it (where the transport can).</summary>
    Task SuspendBehindAsync(ReceiveStep blocked, CancellationToken ct);

    /// <summary>Tables and columns the manifest names that its job may not write here (empty when the transport cannot tell).</summary>
    IReadOnlyList<string> ScopeProblems(PackageManifest manifest);

    /// <summary>The sessions the run touched, as Receive-AsyncPackage writes them.</summary>
    Task<IReadOnlyList<DownloadSession>> DescribeAsync(IReadOnlyList<ReceiveOutcome> outcomes, CancellationToken ct);
}
