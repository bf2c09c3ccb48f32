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

    /// <summary>
    /// The same rows as <see cref="GetAsync"/>, as the store pages them in (<see cref="ISessionLedger.StreamSessionsAsync"/>):
    /// what Get-AsyncSession writes, so a query without a limit holds one page of sessions in memory, not all of them.
    /// </summary>
    public async IAsyncEnumerable<DownloadSession> StreamAsync(SessionQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, int pageSize = 500)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var record in store.StreamSessionsAsync(query, cancellationToken, pageSize).ConfigureAwait(false))
            foreach (var row in Expand(context.Configuration, [record], query))
                yield return row;
    }

    public static IReadOnlyList<DownloadSession> Expand(AsyncServerConfiguration config, IEnumerable<DownloadSessionRecord> records, SessionQuery? query = null)
    {
        var rows = records.SelectMany(r => DownloadSession.From(r, config.DownloadFolder, config.StagingFolder, query?.ChannelDatabases));
        if (query?.Statuses is { Count: > 0 } statuses)
            rows = rows.Where(s => statuses.Contains(s.Status));
        return rows.ToList();
    }
}
