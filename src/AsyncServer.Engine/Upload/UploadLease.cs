using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;

namespace AsyncServer.Upload;

/// <summary>
/// One sender per channel database: the lease <c>upload/{partition}/{channel database}</c>, the same resource whether the store
/// sends directly or through the endpoint, so the two cannot overlap. The sender holds it for its whole run, renewed in the
/// background (<see cref="ILeaseClaim"/>); a run that loses it stops with WorkClaimedElsewhere and records nothing more.
/// </summary>
public static class UploadLease
{
    public static string Resource(string partition, string channelDatabase) => $"upload/{partition}/{channelDatabase}";

    public static AsyncServerException Busy(string channelDatabase, string? holder, DateTimeOffset? until)
        => new(ErrorIds.ConcurrentRun, ErrorKind.ResourceBusy,
            $"Channel database {channelDatabase} is being uploaded by {holder} (until {until:u}); nothing was sent.", channelDatabase);

    /// <summary>The lease of a send or an apply was lost mid-run (renewal refused or failing for a whole lease): the run stopped.</summary>
    public static AsyncServerException Lost(string what, string target, Exception inner)
        => new(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
            $"{what}: the lease was lost (renewal failed or another instance took it over); this run stopped and recorded nothing more. " +
            "The next run takes its work over.", target, inner);

    /// <summary>
    /// Sessions of this store and job left Started by a run that stopped: UploadFailed, so their rows are sent again; the partial
    /// file an HTTPS upload of each left in <paramref name="uploadFolder"/> is deleted (the session is no longer resumable).
    /// </summary>
    public static async Task SweepAsync(IUploadLedger store, string partition, string channelDatabase, string jobId, string uploadFolder,
        CancellationToken ct)
    {
        foreach (var s in (await store.StoreUploadsAsync(partition, channelDatabase, jobId, ct).ConfigureAwait(false))
                 .Where(s => s.Status == UploadStatus.Started))
        {
            var swept = await store.ChangeUploadAsync(s.Id, [UploadStatus.Started], UploadStatus.UploadFailed,
                $"The run of instance {s.InstanceId} stopped before delivering this package; its rows are sent again.", TriesChange.Keep, ct)
                .ConfigureAwait(false);
            if (swept) DeletePartial(uploadFolder, s);
        }
    }

    /// <summary>
    /// Where the package of an HTTPS upload session is received (<c>.NAME.partial</c> in the upload folder): its name is made from
    /// the row as the endpoint makes it, and trusted only when it is a package file name inside the folder; otherwise null.
    /// </summary>
    public static string? PartialPath(string uploadFolder, UploadSessionRecord s)
        => PackageFiles.PartialPathIn(uploadFolder, PackageFiles.Name(s.Partition, s.JobId, s.ChannelDatabase, s.Id));

    /// <summary>Deletes the session's partial file if there is one (a session that is no longer Started is never resumed).</summary>
    public static bool DeletePartial(string uploadFolder, UploadSessionRecord s)
        => PartialPath(uploadFolder, s) is { } partial && File.Exists(partial) && PackageFiles.TryDelete(partial);
}
