using AsyncServer.Diagnostics;
using AsyncServer.Messaging;

namespace AsyncServer.Upload;

/// <summary>
/// Stop-AsyncSession and Restart-AsyncSession on upload sessions (docs/upload.md). Canceling a session that HQ has not
/// applied means its rows are sent again by the store's next run (a canceled session no longer extends the store's
/// cursor); rerunning one makes it Uploaded with its tries reset, so the next upload schedule run applies it (a
/// duplicate of rows the store sent again changes nothing at HQ).
/// </summary>
public sealed class UploadLifecycle(EngineContext context)
{
    private static readonly UploadStatus[] Cancelable = [UploadStatus.Started, UploadStatus.Uploaded, UploadStatus.ApplyFailed];
    private static readonly UploadStatus[] Rerunnable = [UploadStatus.Uploaded, UploadStatus.ApplyFailed, UploadStatus.Canceled];

    /// <summary>A canceled session is never resumed: the partial file of its HTTPS upload, if any, is deleted.</summary>
    public async Task<UploadSessionRecord> CancelAsync(long id, CancellationToken ct)
    {
        var canceled = await ChangeAsync(id, Cancelable, UploadStatus.Canceled, "Canceled by an operator.", TriesChange.Keep,
            s => $"is {s.Status}; only Started, Uploaded or ApplyFailed upload sessions can be canceled", ct).ConfigureAwait(false);
        UploadLease.DeletePartial(context.Configuration.UploadFolder, canceled);
        return canceled;
    }

    public Task<UploadSessionRecord> RerunAsync(long id, CancellationToken ct)
        => ChangeAsync(id, Rerunnable, UploadStatus.Uploaded, null, TriesChange.Reset, s => s.Status == UploadStatus.UploadFailed
            ? "failed at the store (UploadFailed); its rows are sent again by the store's next Send-AsyncPackage"
            : s.PackageFile is null ? "has no package" : $"is {s.Status}; only ApplyFailed, Canceled or held upload sessions can be rerun", ct);

    private async Task<UploadSessionRecord> ChangeAsync(long id, UploadStatus[] from, UploadStatus to, string? message, TriesChange tries,
        Func<UploadSessionRecord, string> refused, CancellationToken ct)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(ct).ConfigureAwait(false);
        var session = await FindAsync(store, id, ct).ConfigureAwait(false);
        // A session without a package (canceled while Started) has nothing to apply.
        var allowed = to == UploadStatus.Uploaded && session.PackageFile is null ? [] : from;
        if (!allowed.Contains(session.Status) || !await store.ChangeUploadAsync(id, allowed, to, message, tries, ct).ConfigureAwait(false))
            throw new AsyncServerException(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation, $"Upload session {id} {refused(session)}.", id);
        return await FindAsync(store, id, ct).ConfigureAwait(false);
    }

    private static async Task<UploadSessionRecord> FindAsync(IMessageStore store, long id, CancellationToken ct)
        => (await store.QueryUploadsAsync(new UploadQuery(Id: id, Limit: 1), ct).ConfigureAwait(false)).SingleOrDefault()
            ?? throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound,
                $"Upload session {id} does not exist in the message database.", id);
}
