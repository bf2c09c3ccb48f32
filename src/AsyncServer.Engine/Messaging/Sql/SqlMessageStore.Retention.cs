using System.Globalization;

namespace AsyncServer.Messaging.Sql;

/// <summary>The status-message outbox and retention, each purge step in its own bounded transaction.</summary>
public sealed partial class SqlMessageStore
{
    /// <summary>Sessions (and moved messages) per purge transaction.</summary>
    public int PurgeBatchSize { get; init; } = 1000;

    public Task<IReadOnlyList<StatusMessageRecord>> GetUnmovedStatusMessagesAsync(int limit, CancellationToken cancellationToken)
        => RunAsync<IReadOnlyList<StatusMessageRecord>>(async w => await w.ReadAsync(Sql.UnmovedStatusMessages, r => new StatusMessageRecord(
                r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), connector.ReadTime(r, 5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)),
            ("@limit", Math.Max(0, limit))).ConfigureAwait(false), cancellationToken, transaction: false);

    public Task MarkStatusMessagesMovedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return Task.CompletedTask;
        return RunAsync(async w =>
        {
            foreach (var chunk in ids.Chunk(MessageStoreSql.TargetBatch))
                await w.ExecuteAsync(Sql.MarkMoved(chunk.Length), [("@now", Now), .. List("m", chunk)]).ConfigureAwait(false);
        }, cancellationToken);
    }

    public async Task<PurgeResult> PurgeAsync(DateTimeOffset before, bool whatIf, CancellationToken cancellationToken)
    {
        if (whatIf)
            return await RunAsync(async w => new PurgeResult(
                await ExpiredSessionsAsync(w, before, int.MaxValue).ConfigureAwait(false),
                Convert.ToInt32(await w.ScalarAsync(Sql.CountMovedMessages, ("@cutoff", before)).ConfigureAwait(false), CultureInfo.InvariantCulture)),
                cancellationToken, transaction: false).ConfigureAwait(false);
        var sessions = new List<PurgedSession>();
        var messages = 0;
        while (true)
        {
            var batch = await PurgeBatchAsync(before, PurgeBatchSize, cancellationToken).ConfigureAwait(false);
            sessions.AddRange(batch.Sessions);
            messages += batch.StatusMessages;
            if (batch.Sessions.Count < PurgeBatchSize && batch.StatusMessages < PurgeBatchSize) return new PurgeResult(sessions, messages);
        }
    }

    public Task<PurgeResult> PurgeBatchAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
        => RunAsync(async w =>
        {
            var sessions = await ExpiredSessionsAsync(w, before, batchSize).ConfigureAwait(false);
            foreach (var chunk in sessions.Select(s => s.Id).Chunk(MessageStoreSql.TargetBatch))
                await w.ExecuteAsync(Sql.DeleteSessions(chunk.Length), List("i", chunk)).ConfigureAwait(false);
            var messages = await w.ExecuteAsync(Sql.DeleteMovedMessages, ("@cutoff", before), ("@batch", batchSize)).ConfigureAwait(false);
            return new PurgeResult(sessions, messages);
        }, cancellationToken);

    public async Task<int> PurgeUnmovedStatusMessagesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var deleted = await RunAsync(w => w.ExecuteAsync(Sql.DeleteUnmovedMessages, ("@cutoff", before), ("@batch", batchSize)), cancellationToken)
                .ConfigureAwait(false);
            total += deleted;
            if (deleted < batchSize) return total;
        }
    }

    /// <summary>Finished everywhere: not being created and no channel database still has work in it.</summary>
    private async Task<IReadOnlyList<PurgedSession>> ExpiredSessionsAsync(SqlWork w, DateTimeOffset before, int limit)
        => await w.ReadAsync(Sql.ExpiredSessions(TargetStatuses.Pending.Count),
            r => new PurgedSession(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), Convert.ToBoolean(r.GetValue(2), CultureInfo.InvariantCulture)),
            [("@cutoff", before), ("@started", nameof(SessionStatus.Started)), ("@batch", limit), .. List("st", Names(TargetStatuses.Pending))])
            .ConfigureAwait(false);
}
