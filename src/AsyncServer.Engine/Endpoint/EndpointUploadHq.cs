using AsyncServer.Messaging;
using AsyncServer.Upload;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncServer.Endpoint;

/// <summary>
/// HQ over HTTPS for a store's upload (<see cref="IUploadHq"/>): the upload lease, the cursors, the session and the package
/// (resumed where the server's copy stops) through the endpoint; the store holds no message-database login. The sweep of
/// sessions a stopped run left Started is done by the endpoint when the next session starts. The claim is the endpoint's upload
/// lease, renewed in the background (<see cref="EndpointLeaseClaim"/>, the same loop as the receive lease's).
/// </summary>
public sealed class EndpointUploadHq(EndpointClient client, string clientId, ILogger? log = null) : IUploadHq
{
    public string Destination => client.Server.ToString();

    public async Task<ILeaseClaim> ClaimAsync(string partition, string channelDatabase, CancellationToken cancellationToken)
        => await EndpointLeaseClaim.UploadAsync(client, clientId, channelDatabase, log ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);

    public Task SweepAsync(string partition, string channelDatabase, string jobId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyDictionary<string, long>> CursorsAsync(string partition, string channelDatabase, string jobId,
        IReadOnlyList<string> subjobs, CancellationToken cancellationToken)
        => (await client.GetUploadCursorsAsync(jobId, cancellationToken).ConfigureAwait(false)).Counters;

    public async Task<long> StartAsync(UploadDraft draft, CancellationToken cancellationToken)
    {
        var tables = draft.Tables.Select(t => new UploadTableRequest(t.Subjob, t.FromCounter, t.ToCounter, t.RowCount)).ToList();
        return (await client.StartUploadAsync(new UploadStartRequest(clientId, draft.JobId, tables), cancellationToken).ConfigureAwait(false)).Id;
    }

    public async Task<bool> DeliverAsync(long id, string localPackage, string packageName, long size, string sha256, long rows,
        CancellationToken cancellationToken)
    {
        var state = await client.UploadPackageAsync(id, localPackage, size, sha256, cancellationToken).ConfigureAwait(false);
        return state.Status is nameof(UploadStatus.Uploaded) or nameof(UploadStatus.Applied);
    }

    public Task FailAsync(long id, string message, CancellationToken cancellationToken) => client.FailUploadAsync(id, clientId, message, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
