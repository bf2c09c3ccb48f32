using AsyncServer.Configuration;
using AsyncServer.Messaging;

namespace AsyncServer.Operations;

/// <summary>
/// Get-AsyncChannelHealth, the service's alerts and its status page: every configured channel database with its state,
/// from one set-based read of the message database (<see cref="IChannelActivityReader"/>).
/// </summary>
public sealed class ChannelHealthBrowser(EngineContext context)
{
    /// <summary>Every configured channel database, in configuration order (a channel database in two data groups: once per group).</summary>
    public async Task<IReadOnlyList<ChannelDatabaseHealth>> GetAsync(CancellationToken cancellationToken)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var activity = await store.ReadChannelActivityAsync(cancellationToken).ConfigureAwait(false);
        return Evaluate(context.Configuration, activity, context.Time.GetUtcNow());
    }

    public static IReadOnlyList<ChannelDatabaseHealth> Evaluate(AsyncServerConfiguration config, IReadOnlyList<ChannelActivity> activity,
        DateTimeOffset now)
    {
        var byName = new Dictionary<string, ChannelActivity>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in activity) byName.TryAdd(a.ChannelDatabase, a);
        return config.DataGroups
            .SelectMany(g => g.ChannelDatabases.Select(db =>
                ChannelHealthRules.Evaluate(db.Id, g.Id, byName.GetValueOrDefault(db.Id), config.Health, now)))
            .ToList();
    }
}
