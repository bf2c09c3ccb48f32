namespace AsyncServer.Service.Endpoint;

// The JSON bodies of /api/v1 (camelCase on the wire; unknown members are refused). docs/endpoint-openapi.json is generated from these.

/// <summary>A pending session of the caller's channel database, in the order it must be applied (updatedAt: its target's last change).</summary>
public sealed record PendingSession(
    long Id, string JobId, string DataGroup, string Kind, bool DeleteExisting, int Part, long? FromVersion, long ToVersion,
    long RowCount, long? PackageSize, string? PackageSha256, string Status, int Tries, string? Message, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The caller's pending sessions, with what its receive planner needs: its data group now, the partition and tryCount.</summary>
public sealed record PendingSessions(string ChannelDatabase, int TryCount, IReadOnlyList<PendingSession> Sessions, string DataGroup, string Partition);

/// <summary>
/// A stage the store reached: Requested, Downloaded, Applied, DownloadFailed or ApplyFailed (with a message), or Skipped
/// (superseded or misdirected, as the endpoint's own receive planner must agree).
/// </summary>
public sealed record ReportRequest(string Stage, string ClientId, string? Message = null);

public sealed record ReportResponse(long SessionId, string Status, bool Changed);

/// <summary>The receive lease: one client of a channel database at a time may report stages.</summary>
public sealed record LeaseRequest(string ClientId);

public sealed record LeaseResponse(string ClientId, DateTimeOffset ExpiresAt);

public sealed record HealthResponse(string Status);
