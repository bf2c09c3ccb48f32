using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Upload;

namespace AsyncServer.Endpoint;

/// <summary>What a store needs to send over the endpoint: no HQ configuration and no message-database access.</summary>
public sealed record RemoteUploadRequest(Uri Server, string ChannelDatabase, string? Secret, ConnectionSettings ChannelConnection)
{
    /// <summary>Names this sender in the upload lease; default host-pid.</summary>
    public string? ClientId { get; init; }
    public EndpointClientOptions ClientOptions { get; init; } = new();
    /// <summary>A handler of one's own for the HTTPS connection (a proxy, a test that cuts the connection); null: the default.</summary>
    public HttpMessageHandler? Handler { get; init; }
}

/// <summary>
/// Send-AsyncPackage -Server and the service's client mode: reads the store's upload jobs from the endpoint, then runs the one
/// <see cref="UploadSender"/> over <see cref="EndpointUploadHq"/> with a configuration made of what the endpoint said and the
/// store's own connection.
/// </summary>
public static class RemoteUploadSender
{
    public static Task<IReadOnlyList<UploadRunResult>> SendAsync(RemoteUploadRequest request, Action<Diagnostics.EngineLogLevel, string, string>? log,
        IReadOnlyList<string>? jobs, CancellationToken ct) => RunAsync(request, log, jobs, plan: false, ct);

    public static Task<IReadOnlyList<UploadRunResult>> PlanAsync(RemoteUploadRequest request, Action<Diagnostics.EngineLogLevel, string, string>? log,
        IReadOnlyList<string>? jobs, CancellationToken ct) => RunAsync(request, log, jobs, plan: true, ct);

    private static async Task<IReadOnlyList<UploadRunResult>> RunAsync(RemoteUploadRequest request,
        Action<Diagnostics.EngineLogLevel, string, string>? log, IReadOnlyList<string>? jobs, bool plan, CancellationToken ct)
    {
        using var client = new EndpointClient(request.Server, request.ChannelDatabase, request.Secret, request.ClientOptions, request.Handler);
        var remote = await client.GetUploadConfigurationAsync(ct).ConfigureAwait(false);
        var context = EngineContext.Create(StoreConfiguration(remote, request.ChannelConnection), log, instanceId: ClientId(request));
        var sender = new UploadSender(context, () => new EndpointUploadHq(client, ClientId(request), context.CreateLogger<EndpointUploadHq>()));
        return plan ? await sender.PlanAsync(remote.ChannelDatabase, jobs, ct).ConfigureAwait(false)
            : await sender.SendAsync(remote.ChannelDatabase, jobs, ct).ConfigureAwait(false);
    }

    private static string ClientId(RemoteUploadRequest request) => request.ClientId ?? RemoteReceiveRequest.DefaultClientId;

    /// <summary>The store's view: one data group holding only this channel database, with its own connection, and HQ's upload jobs.</summary>
    public static AsyncServerConfiguration StoreConfiguration(UploadConfiguration remote, ConnectionSettings channel) => new()
    {
        Partition = remote.Partition,
        DataGroups =
        [
            new DataGroupSettings
            {
                Id = remote.DataGroup, ChannelDatabases = [new ChannelDatabaseSettings { Id = remote.ChannelDatabase, Connection = channel }],
            },
        ],
        UploadJobs = remote.Jobs.ToList(),
        UploadSubjobs = remote.Subjobs.ToList(),
    };
}
