using AsyncServer.Configuration;

namespace AsyncServer.Endpoint;

// The JSON bodies of /api/v1/uploads (camelCase on the wire), shared by the endpoint and its client. docs/endpoint.md.

/// <summary>What a store needs to send without HQ's configuration: its partition and data group, and the upload jobs with their subjobs.</summary>
public sealed record UploadConfiguration(string ChannelDatabase, string DataGroup, string Partition, IReadOnlyList<UploadJobSettings> Jobs,
    IReadOnlyList<UploadSubjobSettings> Subjobs);

/// <summary>Per subjob of a job, the counter the store's next package starts after (HQ's acknowledged counters and the store's live sessions).</summary>
public sealed record UploadCursors(string JobId, IReadOnlyDictionary<string, long> Counters);

/// <summary>One table of a new upload session: counters (fromCounter, toCounter] and the rows in that range.</summary>
public sealed record UploadTableRequest(string Subjob, long FromCounter, long ToCounter, long RowCount);

/// <summary>Records a new upload session, Started, for the caller's channel database (the caller must hold its upload lease).</summary>
public sealed record UploadStartRequest(string ClientId, string JobId, IReadOnlyList<UploadTableRequest> Tables);

/// <summary>The new session's id and the package name the server gave it (the store writes its manifest with that id).</summary>
public sealed record UploadStarted(long Id, string PackageName);

/// <summary>An upload session of the caller: its status and how many bytes of its package the server holds (where a resumed upload continues).</summary>
public sealed record UploadState(long Id, string JobId, string Status, long ReceivedBytes, long? PackageSize, string? PackageSha256, string? Message);

/// <summary>The store's run failed after it started the session: Started -> UploadFailed with the reason.</summary>
public sealed record UploadFailureRequest(string ClientId, string Message);
