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
        // Every poll runs the same two statements: let the message database keep them prepared (PostgreSQL).
        var provider = EngineContext.ProviderOf(context.MessageConnection);
        var connection = provider.ForFrequentStatements(context.MessageConnection);
        MessageStore = provider.OpenMessageStore(connection, context.Time);
        Endpoint = new EndpointStore(connection, provider.OpenConnector(connection), context.Time);
        DownloadFolder = Path.GetFullPath(Configuration.DownloadFolder);
        // Every request looks its channel database up: a dictionary, not a walk over every group's list (a thousand stores).
        _channels = new Dictionary<string, (string Id, string Group)>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in Configuration.DataGroups)
            foreach (var db in group.ChannelDatabases)
                _channels.TryAdd(db.Id, (db.Id, group.Id));
    }

    private readonly Dictionary<string, (string Id, string Group)> _channels;

    public AsyncServerConfiguration Configuration { get; }
    public IMessageStore MessageStore { get; }
    public EndpointStore Endpoint { get; }
    public string DownloadFolder { get; }

    /// <summary>How the configuration spells the channel database id (ids compare without case), or null when it defines none such.</summary>
    /// <remarks>The first definition wins, as in <see cref="AsyncServerConfiguration.FindChannelDatabase"/>.</remarks>
    public string? CanonicalChannelDatabase(string id) => id.Length is 0 or > 128 ? null : _channels.TryGetValue(id, out var c) ? c.Id : null;

    /// <summary>The data group the configuration puts the channel database in now ("" for an id it does not define).</summary>
    public string DataGroupOf(string channelDatabase) => _channels.TryGetValue(channelDatabase, out var c) ? c.Group : "";

    public ValueTask DisposeAsync() => MessageStore.DisposeAsync();
}
