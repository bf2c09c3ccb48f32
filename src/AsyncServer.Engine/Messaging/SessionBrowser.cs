using AsyncServer.Configuration;

namespace AsyncServer.Messaging;

/// <summary>Get-AsyncSession: queries the store and expands sessions into per-channel-database rows.</summary>
public sealed class SessionBrowser(EngineContext context)
{
    public async Task<IReadOnlyList<DownloadSession>> GetAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var records = await store.QuerySessionsAsync(query, cancellationToken).ConfigureAwait(false);
        return Expand(context.Configuration, records, query);
    }

    public static IReadOnlyList<DownloadSession> Expand(AsyncServerConfiguration config, IEnumerable<DownloadSessionRecord> records, SessionQuery? query = null)
    {
        var rows = records.SelectMany(r => DownloadSession.From(r, config.DownloadFolder, config.StagingFolder, query?.ChannelDatabases));
        if (query?.Statuses is { Count: > 0 } statuses)
            rows = rows.Where(s => statuses.Contains(s.Status));
        return rows.ToList();
    }
}
