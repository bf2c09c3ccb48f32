using System.Globalization;

namespace AsyncServer.Messaging.Sql;

/// <summary>Channel targets: each session's progress at each channel database, and which databases joined which job.</summary>
public sealed partial class SqlMessageStore
{
    /// <summary>One statement: each pending session with its target at the channel database (every store poll runs this).</summary>
    public Task<IReadOnlyList<DownloadSessionRecord>> GetPendingSessionsAsync(string channelDatabase, CancellationToken cancellationToken)
    {
        var read = PendingSessionsRead(channelDatabase);
        return RunAsync<IReadOnlyList<DownloadSessionRecord>>(async w => await w.ReadAsync(read.Sql, read.Map, read.Parameters).ConfigureAwait(false),
            cancellationToken, transaction: false);
    }

    public SqlRead<DownloadSessionRecord> PendingSessionsRead(string channelDatabase) => new(
        Sql.PendingSessions(TargetStatuses.Pending.Count),
        [("@db", channelDatabase), .. List("st", Names(TargetStatuses.Pending))],
        r => SessionRecordReader.Read(r, connector.ReadTime) with { Targets = [ReadTarget(r, SessionRecordReader.ColumnCount)] });

    public Task<int> UpdateTargetsAsync(TargetUpdate update, CancellationToken cancellationToken)
    {
        if (update.FromStatuses.Count == 0) return Task.FromResult(0);
        var parameters = new List<(string, object?)>(List("from", Names(update.FromStatuses)));
        if (update.ChannelDatabase is not null) parameters.Add(("@db", update.ChannelDatabase));
        if (update.SessionId is { } id) parameters.Add(("@id", id));
        if (update.AfterSessionId is { } after) parameters.Add(("@after", after));
        if (update.BeforeSessionId is { } before) parameters.Add(("@before", before));
        if (update.JobId is not null) parameters.Add(("@job", update.JobId));
        if (update.DataGroup is not null) parameters.Add(("@group", update.DataGroup));
        var selection = new TargetSelection(update.FromStatuses.Count, update.ChannelDatabase is not null, update.SessionId is not null,
            update.AfterSessionId is not null, update.BeforeSessionId is not null, update.JobId is not null, update.DataGroup is not null);
        return RunAsync(w => ChangeTargetsAsync(w, selection, parameters, update.ToStatus, update.Message, update.Tries), cancellationToken);
    }

    /// <summary>Moves the selected targets (locked) to <paramref name="to"/>, a status message each.</summary>
    private async Task<int> ChangeTargetsAsync(SqlWork w, TargetSelection selection, IEnumerable<(string, object?)> parameters,
        SessionStatus to, string? message, TriesChange tries)
    {
        if (Sql.ChangeTargets(selection, tries) is { } oneStatement)
            return Convert.ToInt32(await w.ScalarAsync(oneStatement, [.. parameters, ("@to", to.ToString()), ("@m", message), ("@now", Now)])
                .ConfigureAwait(false), CultureInfo.InvariantCulture);
        var selected = await w.ReadAsync(Sql.SelectTargets(selection), r => (Session: r.GetInt64(0), Db: r.GetString(1)), parameters).ConfigureAwait(false);
        await using var update = w.Command(Sql.UpdateTarget(tries));
        await using var status = w.Command(Sql.InsertStatusMessage);
        foreach (var (session, db) in selected)
        {
            var now = Now;
            await w.RunAsync(update, ("@to", to.ToString()), ("@now", now), ("@m", message), ("@s", session), ("@c", db)).ConfigureAwait(false);
            await w.RunAsync(status, ("@s", session), ("@c", db), ("@st", to.ToString()), ("@m", message), ("@now", now)).ConfigureAwait(false);
        }
        return selected.Count;
    }

    public Task<IReadOnlyList<string>> FindChannelDatabasesToSeedAsync(
        string partition, string dataGroup, string jobId, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
    {
        if (channelDatabases.Count == 0) return Task.FromResult<IReadOnlyList<string>>([]);
        return RunAsync<IReadOnlyList<string>>(async w =>
        {
            var joined = await w.ReadAsync(Sql.JoinedChannelDatabases, r => r.GetString(0), ("@p", partition), ("@g", dataGroup), ("@j", jobId))
                .ConfigureAwait(false);
            var known = joined.ToHashSet(StringComparer.OrdinalIgnoreCase);
            return channelDatabases.Where(db => !known.Contains(db)).ToList();
        }, cancellationToken, transaction: false);
    }

    public Task<IReadOnlyList<string>> GetChannelDatabasesWithPendingTargetsAsync(CancellationToken cancellationToken)
        => RunAsync<IReadOnlyList<string>>(async w => await w.ReadAsync(Sql.ChannelDatabasesWithPendingTargets(TargetStatuses.Pending.Count),
            r => r.GetString(0), List("st", Names(TargetStatuses.Pending))).ConfigureAwait(false), cancellationToken, transaction: false);

    public Task<int> RetireChannelDatabaseAsync(string channelDatabase, string reason, CancellationToken cancellationToken)
    {
        var selection = new TargetSelection(TargetStatuses.Pending.Count, true, false, false, false, false, false);
        return RunAsync(async w =>
        {
            var canceled = await ChangeTargetsAsync(w, selection, [.. List("from", Names(TargetStatuses.Pending)), ("@db", channelDatabase)],
                SessionStatus.Canceled, reason, TriesChange.Keep).ConfigureAwait(false);
            await w.ExecuteAsync(Sql.ForgetChannelDatabase, ("@c", channelDatabase)).ConfigureAwait(false);
            return canceled;
        }, cancellationToken);
    }
}
