using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Providers;

namespace AsyncServer.Tests.Support;

/// <summary>Tests open a seam on a bare connection through its provider object, as EngineContext does.</summary>
public static class ProviderFactory
{
    public static IChangeSource CreateChangeSource(ResolvedConnection connection) => DatabaseProviders.For(connection).OpenChangeSource(connection);

    public static IMessageStore CreateMessageStore(ResolvedConnection connection, TimeProvider? time = null) => DatabaseProviders.For(connection).OpenMessageStore(connection, time);

    public static IChannelTarget CreateChannelTarget(ResolvedConnection connection) => DatabaseProviders.For(connection).OpenChannelTarget(connection);

    public static IStatusArchive CreateStatusArchive(ResolvedConnection connection) => DatabaseProviders.For(connection).OpenStatusArchive(connection);
}
