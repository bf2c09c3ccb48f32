using AsyncServer.Diagnostics;
using AsyncServer.Messaging;

namespace AsyncServer.Upload;

/// <summary>
/// One sender per channel database: the lease <c>upload/{partition}/{channel database}</c>, the same resource whether the store
/// sends directly or through the endpoint, so the two cannot overlap. Disposing gives it back.
/// </summary>
public sealed class UploadLease(Func<Task> release) : IAsyncDisposable
{
    public static string Resource(string partition, string channelDatabase) => $"upload/{partition}/{channelDatabase}";

    public static AsyncServerException Busy(string channelDatabase, string? holder, DateTimeOffset? until)
        => new(ErrorIds.ConcurrentRun, ErrorKind.ResourceBusy,
            $"Channel database {channelDatabase} is being uploaded by {holder} (until {until:u}); nothing was sent.", channelDatabase);

    /// <summary>Sessions of this store and job left Started by a run that stopped: UploadFailed, so their rows are sent again.</summary>
    public static async Task SweepAsync(IUploadLedger store, string partition, string channelDatabase, string jobId, CancellationToken ct)
    {
        foreach (var s in (await store.StoreUploadsAsync(partition, channelDatabase, jobId, ct).ConfigureAwait(false))
                 .Where(s => s.Status == UploadStatus.Started))
            await store.ChangeUploadAsync(s.Id, [UploadStatus.Started], UploadStatus.UploadFailed,
                $"The run of instance {s.InstanceId} stopped before delivering this package; its rows are sent again.", TriesChange.Keep, ct)
                .ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await release().ConfigureAwait(false);
}
