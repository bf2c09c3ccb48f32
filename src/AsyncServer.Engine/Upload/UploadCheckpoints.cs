namespace AsyncServer.Upload;

/// <summary>
/// Named points of a send and of an apply where a test can stop the process (SIGKILL in a child process:
/// tests/AsyncServer.TestInstance, Upload/UploadPropertyTests). Production code passes no hook; each point is then free.
/// </summary>
internal static class UploadCheckpoints
{
    /// <summary>Inside the store's read transaction, the ranges read, no session recorded yet.</summary>
    public const string SendRead = "send:read";
    /// <summary>The session recorded Started, no package written yet.</summary>
    public const string SendStarted = "send:started";
    /// <summary>The package written to a temporary folder, not delivered.</summary>
    public const string SendWritten = "send:written";
    /// <summary>The package in the upload folder, the session still Started.</summary>
    public const string SendDelivered = "send:delivered";
    /// <summary>The session Uploaded, the lease not released.</summary>
    public const string SendRecorded = "send:recorded";
    /// <summary>HQ's lease claimed, no session tried yet.</summary>
    public const string ApplyClaimed = "apply:claimed";
    /// <summary>Inside HQ's transaction: the rows written and the counters advanced, not committed.</summary>
    public const string ApplyInTransaction = "apply:in-transaction";
    /// <summary>HQ's transaction committed, the session still Uploaded.</summary>
    public const string ApplyCommitted = "apply:committed";
    /// <summary>The session Applied (before the next session).</summary>
    public const string ApplyRecorded = "apply:recorded";

    public static readonly string[] Send = [SendRead, SendStarted, SendWritten, SendDelivered, SendRecorded];
    public static readonly string[] Apply = [ApplyClaimed, ApplyInTransaction, ApplyCommitted, ApplyRecorded];

    public static Task PassAsync(Func<string, CancellationToken, Task>? hook, string checkpoint, CancellationToken ct)
        => hook is null ? Task.CompletedTask : hook(checkpoint, ct);
}
