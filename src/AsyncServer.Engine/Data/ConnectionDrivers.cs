using System.Collections.Concurrent;
using System.Data.Common;

namespace AsyncServer.Data;

/// <summary>
/// Each database kind's own connection-string builder, which <see cref="ConnectionStringCheck"/> hands every configured
/// setting to. Data/ names no driver: the provider objects register theirs when the assembly loads
/// (<c>Providers/DatabaseProviders</c>), before any connection can be resolved.
/// </summary>
internal static class ConnectionDrivers
{
    private static readonly ConcurrentDictionary<DatabaseProvider, Func<DbConnectionStringBuilder>> Builders = new();

    public static void Register(DatabaseProvider kind, Func<DbConnectionStringBuilder> newBuilder) => Builders[kind] = newBuilder;

    public static DbConnectionStringBuilder BuilderFor(DatabaseProvider kind) => Builders.TryGetValue(kind, out var newBuilder)
        ? newBuilder()
        : throw new InvalidOperationException($"No connection-string builder is registered for {kind}.");
}
