using AsyncServer.Configuration;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// What every request uses: the AsyncServer configuration (read once at start: restart after changing channel
/// databases), the message store and the endpoint store. No state of its own: everything a request changes is in
/// the message database, so any number of instances can serve one message database.
/// </summary>
public sealed class EndpointState : IAsyncDisposable
{
    public EndpointState(ServiceOptions options, ILoggerFactory loggerFactory)
    {
        Configuration = ConfigurationLoader.Load(options.ConfigurationPath);
        var context = new EngineContext(Configuration, loggerFactory, instanceId: options.InstanceId);
        MessageStore = context.OpenMessageStore();
        Endpoint = context.OpenEndpointStore();
        DownloadFolder = Path.GetFullPath(Configuration.DownloadFolder);
    }

    public AsyncServerConfiguration Configuration { get; }
    public IMessageStore MessageStore { get; }
    public EndpointStore Endpoint { get; }
    public string DownloadFolder { get; }

    /// <summary>How the configuration spells the channel database id (ids compare without case), or null when it defines none such.</summary>
    public string? CanonicalChannelDatabase(string id) => id.Length is 0 or > 128 ? null : Configuration.FindChannelDatabase(id)?.Database.Id;

    /// <summary>The data group the configuration puts the channel database in now ("" for an id it does not define).</summary>
    public string DataGroupOf(string channelDatabase) => Configuration.FindChannelDatabase(channelDatabase)?.Group.Id ?? "";

    public ValueTask DisposeAsync() => MessageStore.DisposeAsync();
}
