namespace AsyncServer.Messaging.Sql;

/// <summary>The upload ledger (schema 4): upload sessions, their tables, the counters HQ acknowledged, their status messages.</summary>
public sealed partial class SqlMessageStore
{
    private UploadStoreSql U => Sql.Uploads;

    private const string UploadDirection = "Upload";

    public Task<long> StartUploadAsync(UploadDraft draft, CancellationToken cancellationToken) => RunAsync(async w =>
    {
        var now = Now;
        var id = ToLong(await w.ScalarAsync(U.InsertUpload, ("@p", draft.Partition), ("@j", draft.JobId), ("@g", draft.DataGroup),
            ("@c", draft.ChannelDatabase), ("@st", nameof(UploadStatus.Started)), ("@inst", draft.InstanceId), ("@now", now),
            ("@first", UploadSessionRecord.FirstId - 1)).ConfigureAwait(false))!.Value;
        foreach (var t in draft.Tables)
            await w.ExecuteAsync(U.InsertUploadTable, ("@s", id), ("@sub", t.Subjob), ("@ct", t.ChannelTable), ("@ht", t.HqTable),
                ("@from", t.FromCounter), ("@to", t.ToCounter), ("@rows", t.RowCount)).ConfigureAwait(false);
        await UploadMessageAsync(w, id, draft.ChannelDatabase, UploadStatus.Started, null, now).ConfigureAwait(false);
        return id;
    }, cancellationToken);

    public Task<bool> MarkUploadedAsync(long id, string packageFile, long size, string sha256, long rows, CancellationToken cancellationToken)
        => RunAsync(async w =>
        {
            var db = await w.ScalarAsync(U.ChannelDatabaseOf, ("@id", id)).ConfigureAwait(false) as string;
            var changed = await w.ExecuteAsync(U.MarkUploaded, ("@file", packageFile), ("@size", size), ("@sha", sha256), ("@rows", rows),
                ("@to", nameof(UploadStatus.Uploaded)), ("@now", Now), ("@id", id), ("@from", nameof(UploadStatus.Started))).ConfigureAwait(false);
            if (changed > 0) await UploadMessageAsync(w, id, db, UploadStatus.Uploaded, null, Now).ConfigureAwait(false);
            return changed > 0;
        }, cancellationToken);

    public Task<bool> ChangeUploadAsync(long id, IReadOnlyList<UploadStatus> from, UploadStatus to, string? message, TriesChange tries,
        CancellationToken cancellationToken) => RunAsync(w => ChangeUploadAsync(w, id, from, to, message, tries), cancellationToken);

    private async Task<bool> ChangeUploadAsync(SqlWork w, long id, IReadOnlyList<UploadStatus> from, UploadStatus to, string? message, TriesChange tries)
    {
        if (from.Count is 0 or > 6) throw new ArgumentOutOfRangeException(nameof(from), "one to six statuses");
        var db = await w.ScalarAsync(U.ChannelDatabaseOf, ("@id", id)).ConfigureAwait(false) as string;
        var final = to is UploadStatus.Applied or UploadStatus.Canceled or UploadStatus.UploadFailed;
        var parameters = new List<(string, object?)>
        {
            ("@to", to.ToString()), ("@m", message), ("@now", Now), ("@fin", final ? 1 : 0), ("@inc", tries == TriesChange.Increment ? 1 : 0),
            ("@reset", tries == TriesChange.Reset ? 1 : 0), ("@id", id),
        };
        // Six slots: the statuses given, the last one repeated.
        for (var i = 0; i < 6; i++) parameters.Add(($"@f{i}", from[Math.Min(i, from.Count - 1)].ToString()));
        var changed = await w.ExecuteAsync(U.ChangeStatus, parameters).ConfigureAwait(false);
        if (changed > 0) await UploadMessageAsync(w, id, db, to, message, Now).ConfigureAwait(false);
        return changed > 0;
    }

    public Task<bool> MarkAppliedAsync(long id, string? message, CancellationToken cancellationToken) => RunAsync(async w =>
    {
        if (!await ChangeUploadAsync(w, id, [UploadStatus.Uploaded, UploadStatus.ApplyFailed], UploadStatus.Applied, message, TriesChange.Keep)
                .ConfigureAwait(false))
            return false;
        var session = (await w.ReadAsync(U.QueryUploads(true, false, false, false), r => UploadSessionRecord.Read(r, connector.ReadTime),
            ("@id", id), ("@limit", 1)).ConfigureAwait(false)).Single();
        foreach (var t in await ReadTablesAsync(w, id).ConfigureAwait(false))
            await w.ExecuteAsync(U.UpsertCounter, ("@p", session.Partition), ("@c", session.ChannelDatabase), ("@j", session.JobId), ("@sub", t.Subjob),
                ("@counter", t.ToCounter), ("@s", id), ("@now", Now)).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task<IReadOnlyList<UploadSessionRecord>> QueryUploadsAsync(UploadQuery query, CancellationToken cancellationToken)
        => RunAsync(w =>
        {
            var parameters = new List<(string, object?)> { ("@limit", query.Limit) };
            if (query.Id is { } id) parameters.Add(("@id", id));
            if (query.ChannelDatabase is { } c) parameters.Add(("@c", c));
            if (query.JobId is { } j) parameters.Add(("@j", j));
            if (query.Status is { } st) parameters.Add(("@st", st.ToString()));
            var sql = U.QueryUploads(query.Id is not null, query.ChannelDatabase is not null, query.JobId is not null, query.Status is not null);
            return ReadUploadsAsync(w, sql, parameters);
        }, cancellationToken, transaction: false);

    public Task<IReadOnlyList<UploadSessionRecord>> StoreUploadsAsync(string partition, string channelDatabase, string jobId,
        CancellationToken cancellationToken)
        => RunAsync(w => ReadUploadsAsync(w, U.StoreUploads, [("@p", partition), ("@c", channelDatabase), ("@j", jobId)]), cancellationToken,
            transaction: false);

    public Task<IReadOnlyList<UploadSessionRecord>> UploadsInStatusAsync(string partition, UploadStatus status, CancellationToken cancellationToken)
        => RunAsync(w => ReadUploadsAsync(w, U.UploadsInStatus, [("@p", partition), ("@st", status.ToString())]), cancellationToken, transaction: false);

    public Task<IReadOnlyDictionary<string, long>> AcknowledgedCountersAsync(string partition, string channelDatabase, string jobId,
        CancellationToken cancellationToken) => RunAsync<IReadOnlyDictionary<string, long>>(async w =>
        {
            var rows = await w.ReadAsync(U.AcknowledgedCounters, r => (r.GetString(0), r.GetInt64(1)),
                ("@p", partition), ("@c", channelDatabase), ("@j", jobId)).ConfigureAwait(false);
            return rows.ToDictionary(r => r.Item1, r => r.Item2, StringComparer.OrdinalIgnoreCase);
        }, cancellationToken, transaction: false);

    public Task<IReadOnlyList<UploadSessionRecord>> PurgeUploadsAsync(DateTimeOffset cutoff, int batch, CancellationToken cancellationToken)
        => RunAsync(async w =>
        {
            var expired = await ReadUploadsAsync(w, U.ExpiredUploads, [("@cutoff", cutoff), ("@batch", batch),
                ("@a", nameof(UploadStatus.Applied)), ("@x", nameof(UploadStatus.Canceled)), ("@u", nameof(UploadStatus.UploadFailed))])
                .ConfigureAwait(false);
            foreach (var s in expired) await w.ExecuteAsync(U.DeleteUpload, ("@id", s.Id)).ConfigureAwait(false);
            return expired;
        }, cancellationToken);

    private async Task<IReadOnlyList<UploadSessionRecord>> ReadUploadsAsync(SqlWork w, string sql, IEnumerable<(string, object?)> parameters)
    {
        var sessions = await w.ReadAsync(sql, r => UploadSessionRecord.Read(r, connector.ReadTime), parameters).ConfigureAwait(false);
        var result = new List<UploadSessionRecord>(sessions.Count);
        foreach (var s in sessions) result.Add(s with { Tables = await ReadTablesAsync(w, s.Id).ConfigureAwait(false) });
        return result;
    }

    private Task<List<UploadTableRange>> ReadTablesAsync(SqlWork w, long id) => w.ReadAsync(U.TablesOf, UploadSessionRecord.ReadTable, ("@s", id));

    private async Task UploadMessageAsync(SqlWork w, long id, string? channelDatabase, UploadStatus status, string? message, DateTimeOffset now)
        => await w.ExecuteAsync(U.InsertStatusMessage, ("@s", id), ("@c", channelDatabase), ("@st", status.ToString()), ("@m", message), ("@now", now),
            ("@dir", UploadDirection)).ConfigureAwait(false);
}
