using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Upload;

namespace AsyncServer.Endpoint;

/// <summary>
/// The endpoint's side of a store's upload (docs/endpoint.md, /api/v1/uploads), for the channel database the caller authenticated
/// as: its upload jobs, its cursors, its sessions only (another store's session is not found), and its packages, received into a
/// private partial file in the upload folder under the name the server gives the session (never one from the request).
/// </summary>
public sealed partial class UploadIntake(IMessageStore store, AsyncServerConfiguration config, string channel)
{
    public string UploadFolder { get; } = Path.GetFullPath(config.UploadFolder);

    public UploadConfiguration Configuration(string dataGroup)
    {
        var subjobs = config.UploadJobs.SelectMany(j => j.Subjobs).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(config.FindUploadSubjob).OfType<UploadSubjobSettings>().ToList();
        return new UploadConfiguration(channel, dataGroup, config.Partition, config.UploadJobs, subjobs);
    }

    /// <summary>Null when the job is not configured.</summary>
    public async Task<UploadCursors?> CursorsAsync(string jobId, CancellationToken ct)
    {
        if (config.FindUploadJob(jobId) is not { } job) return null;
        var cursors = await UploadCursor.ReadAsync(store, config.Partition, channel, job.Id, job.Subjobs, ct).ConfigureAwait(false);
        return new UploadCursors(job.Id, cursors);
    }

    /// <summary>Records a Started session after checking the job and its ranges; the sessions a stopped run left Started are swept first.</summary>
    public async Task<UploadStarted> StartAsync(UploadStartRequest request, string dataGroup, string instanceId, CancellationToken ct)
    {
        var job = config.FindUploadJob(request.JobId) ?? throw Bad($"upload job '{Printable(request.JobId)}' is not configured at HQ");
        if (request.Tables.Count == 0 || request.Tables.Count > job.Subjobs.Count) throw Bad($"job {job.Id} has {job.Subjobs.Count} table(s)");
        var tables = new List<UploadTableRange>();
        foreach (var t in request.Tables)
        {
            var id = job.Subjobs.FirstOrDefault(s => string.Equals(s, t.Subjob, StringComparison.OrdinalIgnoreCase))
                ?? throw Bad($"'{Printable(t.Subjob)}' is not a table of job {job.Id}");
            if (tables.Any(x => string.Equals(x.Subjob, id, StringComparison.OrdinalIgnoreCase))) throw Bad($"table {id} is named twice");
            if (t.FromCounter < 0 || t.ToCounter < t.FromCounter || t.RowCount < 0 || t.RowCount > t.ToCounter - t.FromCounter)
                throw Bad($"table {id}: counters ({t.FromCounter}..{t.ToCounter}] cannot hold {t.RowCount} row(s)");
            var subjob = config.FindUploadSubjob(id)!;
            tables.Add(new UploadTableRange(id, subjob.ChannelTable, subjob.EffectiveHqTable, t.FromCounter, t.ToCounter, t.RowCount));
        }
        await UploadLease.SweepAsync(store, config.Partition, channel, job.Id, UploadFolder, ct).ConfigureAwait(false);
        var draft = new UploadDraft(config.Partition, job.Id, dataGroup, channel, instanceId, tables);
        var sessionId = await store.StartUploadAsync(draft, ct).ConfigureAwait(false);
        return new UploadStarted(sessionId, PackageName(job.Id, sessionId));
    }

    /// <summary>The caller's upload session, or null: another store's session and a missing one look the same.</summary>
    public async Task<UploadSessionRecord?> FindAsync(long id, CancellationToken ct)
    {
        if (!UploadSession.IsUploadId(id)) return null;
        var s = (await store.QueryUploadsAsync(new UploadQuery(Id: id, Limit: 1), ct).ConfigureAwait(false)).SingleOrDefault();
        return s is not null && string.Equals(s.ChannelDatabase, channel, StringComparison.OrdinalIgnoreCase)
            && string.Equals(s.Partition, config.Partition, StringComparison.Ordinal) ? s : null;
    }

    public UploadState StateOf(UploadSessionRecord s) => new(s.Id, s.JobId, s.Status.ToString(),
        s.Status == UploadStatus.Started ? PartialLength(s) : s.PackageSize ?? 0, s.PackageSize, s.PackageSha256, s.Message);

    /// <summary>Started -> UploadFailed with the store's reason; false when the session is no longer Started.</summary>
    public async Task<bool> FailAsync(UploadSessionRecord s, string message, CancellationToken ct)
    {
        TryDelete(PartialPath(s));
        return await store.ChangeUploadAsync(s.Id, [UploadStatus.Started], UploadStatus.UploadFailed, "The store reported: " + message,
            TriesChange.Increment, ct).ConfigureAwait(false);
    }

    internal string PackageName(string jobId, long id) => PackageFiles.Name(config.Partition, jobId, channel, id);

    /// <summary>The one definition of the partial file's name (the sweep and retention delete it by the same).</summary>
    internal string PartialPath(UploadSessionRecord s) => UploadLease.PartialPath(UploadFolder, s)
        ?? throw Bad($"upload session {s.Id} makes no package file name");

    internal long PartialLength(UploadSessionRecord s) => File.Exists(PartialPath(s)) ? new FileInfo(PartialPath(s)).Length : 0;

    internal static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    internal static string Printable(string? text) => new((text ?? "").Where(ch => ch is >= ' ' and <= '~').Take(60).ToArray());

    private static AsyncServerException Bad(string why) => new(ErrorIds.UploadFailed, ErrorKind.InvalidArgument, $"The upload was not started: {why}.");
}
