namespace AsyncServer.Endpoint;

/// <summary>A credential just created: the only time its secret exists outside the caller's hands.</summary>
public sealed record NewChannelCredential(long Id, string ChannelDatabase, string Secret, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>What Get-AsyncChannelCredential shows: metadata only, never the secret or its hash.</summary>
public sealed record ChannelCredentialInfo(
    long Id, string ChannelDatabase, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt,
    DateTimeOffset? LastContactAt, string? LastClientVersion, string? LastRemoteAddress)
{
    /// <summary>Active, Expired or Revoked, as of <paramref name="now"/>.</summary>
    public string StateAt(DateTimeOffset now) => RevokedAt is not null ? "Revoked" : ExpiresAt is { } e && e <= now ? "Expired" : "Active";
    public string State => StateAt(DateTimeOffset.UtcNow);
}

/// <summary>Who called, as the endpoint records it with every authenticated request.</summary>
public sealed record ChannelContact(string? ClientVersion, string? RemoteAddress);

/// <summary>
/// The stages a store reports over the endpoint (the client's side of the target state machine). Skipped: the store's
/// planner found the session superseded or misdirected; the endpoint cancels it there only when its own planner agrees.
/// </summary>
public enum ReportStage { Requested, Downloaded, Applied, DownloadFailed, ApplyFailed, Skipped }

/// <summary>What became of a report: changed, already there (idempotent), refused (with the current status), or no such target.</summary>
public enum ReportOutcomeKind { Changed, Unchanged, Refused, NotFound, NotLeaseHolder }

public sealed record ReportOutcome(ReportOutcomeKind Kind, Messaging.SessionStatus? Status, string? Reason = null);
