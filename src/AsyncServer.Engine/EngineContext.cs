using System.Net;
using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncServer;

/// <summary>
/// What every engine operation needs: the configuration, credentials for connections that ask for them,
/// logging, a clock and the identity of this server instance. Front ends build one per command.
/// </summary>
public sealed class EngineContext
{
    public EngineContext(AsyncServerConfiguration configuration, ILoggerFactory? loggerFactory = null, NetworkCredential? credential = null,
        string? instanceId = null, TimeProvider? time = null)
    {
        Configuration = configuration;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Credential = credential;
        InstanceId = string.IsNullOrWhiteSpace(instanceId) ? DefaultInstanceId : instanceId!;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// For front ends in another AssemblyLoadContext (the PowerShell module): logging goes to a plain callback,
    /// so the caller never touches Microsoft.Extensions.Logging types.
    /// </summary>
    public static EngineContext Create(AsyncServerConfiguration configuration, Action<Diagnostics.EngineLogLevel, string, string>? log = null,
        NetworkCredential? credential = null, string? instanceId = null)
        => new(configuration, log is null ? null : Diagnostics.EngineLogging.ToCallback(log), credential, instanceId);

    public AsyncServerConfiguration Configuration { get; }
    public ILoggerFactory LoggerFactory { get; }
    public NetworkCredential? Credential { get; }
    /// <summary>Recorded on every session this instance creates, and the owner of its leases.</summary>
    public string InstanceId { get; }
    public TimeProvider Time { get; }

    /// <summary>Host name and process id: unique among live instances, readable in session lists.</summary>
    public static string DefaultInstanceId => $"{Environment.MachineName}:{Environment.ProcessId}";

    public ILogger CreateLogger<T>() => LoggerFactory.CreateLogger<T>();

    public ResolvedConnection HqConnection => ResolvedConnection.Resolve(Configuration.Hq, "$.hq", Configuration.BaseDirectory, Credential);
    public ResolvedConnection MessageConnection
        => ResolvedConnection.Resolve(Configuration.MessageDatabase, "$.messageDatabase", Configuration.BaseDirectory, Credential);

    /// <summary>The provider object of a connection's database kind: every seam reaches its provider through here.</summary>
    public static IDatabaseProvider ProviderOf(ResolvedConnection connection) => DatabaseProviders.For(connection);

    public IChangeSource OpenChangeSource() => ProviderOf(HqConnection).OpenChangeSource(HqConnection);
    public IMessageStore OpenMessageStore() => ProviderOf(MessageConnection).OpenMessageStore(MessageConnection, Time);
    public static IChannelTarget OpenChannelTarget(ResolvedConnection channelConnection)
        => ProviderOf(channelConnection).OpenChannelTarget(channelConnection);

    /// <summary>The endpoint's part of the message database: channel credentials, contacts, reports.</summary>
    public Endpoint.EndpointStore OpenEndpointStore()
        => new(MessageConnection, ProviderOf(MessageConnection).OpenConnector(MessageConnection), Time);

    /// <summary>The status tables in the HQ database.</summary>
    public IStatusArchive OpenStatusArchive() => ProviderOf(HqConnection).OpenStatusArchive(HqConnection);
}
