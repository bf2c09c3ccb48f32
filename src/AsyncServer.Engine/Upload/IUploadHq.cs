using AsyncServer.Messaging;

namespace AsyncServer.Upload;

/// <summary>
/// HQ as a store's upload sees it (docs/upload.md): where to start, recording a session, handing its package over, and
/// one sender per channel database at a time. <see cref="DirectUploadHq"/> reaches the message database and the upload
/// folder (the shared working folder); <c>Endpoint/EndpointUploadHq</c> reaches the same over HTTPS, so a store there
/// needs no message-database login. <see cref="UploadRun"/> is written once over this seam.
/// </summary>
public interface IUploadHq : IAsyncDisposable
{
    /// <summary>Where the package goes, for messages (a folder or an address; never a secret).</summary>
    string Destination { get; }

    /// <summary>
    /// Claims the channel database for this sender, renewed in the background for the whole run; its token is canceled when the
    /// claim is lost (the run then stops and records nothing more); given back when disposed. Throws ConcurrentRun when held elsewhere.
    /// </summary>
    Task<ILeaseClaim> ClaimAsync(string partition, string channelDatabase, CancellationToken cancellationToken);

    /// <summary>Marks the store's sessions of the job that a stopped run left Started as UploadFailed, so their rows are sent again.</summary>
    Task SweepAsync(string partition, string channelDatabase, string jobId, CancellationToken cancellationToken);

    /// <summary>Per subjob, the counter the next package starts after (<see cref="UploadCursor"/> over HQ's acknowledged counters).</summary>
    Task<IReadOnlyDictionary<string, long>> CursorsAsync(string partition, string channelDatabase, string jobId, IReadOnlyList<string> subjobs,
        CancellationToken cancellationToken);

    /// <summary>Records a new session, Started; returns its id.</summary>
    Task<long> StartAsync(UploadDraft draft, CancellationToken cancellationToken);

    /// <summary>
    /// Hands the finished package over and marks the session Uploaded with its name, size and SHA-256; false when the session was
    /// canceled meanwhile (HQ will not apply it). Throws when the package did not arrive whole.
    /// </summary>
    Task<bool> DeliverAsync(long id, string localPackage, string packageName, long size, string sha256, long rows, CancellationToken cancellationToken);

    /// <summary>Started -> UploadFailed with the reason (tries + 1).</summary>
    Task FailAsync(long id, string message, CancellationToken cancellationToken);
}

/// <summary>
/// The message database and an <see cref="IUploadTransport"/> (the shared upload folder): the store holds HQ's configuration. The
/// claim is a <see cref="LeaseKeeper"/>; each write that only the holder may make (a session started, delivered, failed) renews it
/// first, so a run that lost it writes nothing.
/// </summary>
public sealed class DirectUploadHq(EngineContext context, IUploadTransport transport) : IUploadHq
{
    private IMessageStore? _store;
    private LeaseKeeper? _keeper;

    private async Task<IMessageStore> StoreAsync(CancellationToken ct)
    {
        if (_store is not null) return _store;
        _store = context.OpenMessageStore();
        await _store.EnsureReadyAsync(ct).ConfigureAwait(false);
        return _store;
    }

    public string Destination => transport.Destination;

    public async Task<ILeaseClaim> ClaimAsync(string partition, string channelDatabase, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var duration = TimeSpan.FromSeconds(context.Configuration.LeaseSeconds);
        var (keeper, claim) = await LeaseKeeper.ClaimAsync(store, UploadLease.Resource(partition, channelDatabase), context.InstanceId,
            new LeaseTiming(duration, duration), context.Time, context.CreateLogger<UploadSender>(), cancellationToken).ConfigureAwait(false);
        return _keeper = keeper ?? throw UploadLease.Busy(channelDatabase, claim.Holder, claim.ExpiresAt);
    }

    /// <summary>Renews the claim before a write only its holder may make; throws (the run stops) when it was lost.</summary>
    private async Task<IMessageStore> HoldingAsync(CancellationToken ct)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        if (_keeper is not null) await _keeper.ConfirmAsync(ct).ConfigureAwait(false);
        return store;
    }

    public async Task SweepAsync(string partition, string channelDatabase, string jobId, CancellationToken cancellationToken)
        => await UploadLease.SweepAsync(await HoldingAsync(cancellationToken).ConfigureAwait(false), partition, channelDatabase, jobId,
            context.Configuration.UploadFolder, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyDictionary<string, long>> CursorsAsync(string partition, string channelDatabase, string jobId,
        IReadOnlyList<string> subjobs, CancellationToken cancellationToken)
        => await UploadCursor.ReadAsync(await StoreAsync(cancellationToken).ConfigureAwait(false), partition, channelDatabase, jobId, subjobs,
            cancellationToken).ConfigureAwait(false);

    public async Task<long> StartAsync(UploadDraft draft, CancellationToken cancellationToken)
        => await (await HoldingAsync(cancellationToken).ConfigureAwait(false)).StartUploadAsync(draft, cancellationToken).ConfigureAwait(false);

    public async Task<bool> DeliverAsync(long id, string localPackage, string packageName, long size, string sha256, long rows,
        CancellationToken cancellationToken)
    {
        await HoldingAsync(cancellationToken).ConfigureAwait(false); // a run that lost its lease puts nothing in HQ's folder
        await transport.DeliverAsync(localPackage, packageName, size, sha256, cancellationToken).ConfigureAwait(false);
        var store = await HoldingAsync(cancellationToken).ConfigureAwait(false);
        return await store.MarkUploadedAsync(id, packageName, size, sha256, rows, cancellationToken).ConfigureAwait(false);
    }

    public async Task FailAsync(long id, string message, CancellationToken cancellationToken)
        => await (await HoldingAsync(cancellationToken).ConfigureAwait(false))
            .ChangeUploadAsync(id, [UploadStatus.Started], UploadStatus.UploadFailed, message, TriesChange.Increment, cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync().ConfigureAwait(false);
    }
}
