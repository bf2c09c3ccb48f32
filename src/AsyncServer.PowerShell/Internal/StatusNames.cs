namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Every status name a session can have, download (<see cref="AsyncServer.Messaging.SessionStatus"/>) and upload
/// (<see cref="AsyncServer.Upload.UploadStatus"/>), as constants for -Status's ValidateSet (an attribute needs constants;
/// a test checks that this list is exactly the union of both enums).
/// </summary>
internal static class StatusNames
{
    public const string Started = nameof(Started);
    public const string Available = nameof(Available);
    public const string Requested = nameof(Requested);
    public const string Downloaded = nameof(Downloaded);
    public const string Applied = nameof(Applied);
    public const string Canceled = nameof(Canceled);
    public const string CreateFailed = nameof(CreateFailed);
    public const string DownloadFailed = nameof(DownloadFailed);
    public const string ApplyFailed = nameof(ApplyFailed);
    public const string NoData = nameof(NoData);
    public const string Suspended = nameof(Suspended);
    public const string Uploaded = nameof(Uploaded);
    public const string UploadFailed = nameof(UploadFailed);
}
