using System.Management.Automation;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Upload;

namespace AsyncServer.PowerShell.Commands;

/// <summary>Get-AsyncSession -Direction Upload (or All, or an upload session's -Id): upload sessions, newest first.</summary>
public sealed partial class GetAsyncSessionCommand
{
    private const string DownloadDirection = "Download";
    private const string UploadDirection = "Upload";
    private const string AllDirections = "All";

    /// <summary>Download sessions (the default), Upload sessions, or All. An upload session's -Id finds it in any direction.</summary>
    [Parameter]
    [ValidateSet(DownloadDirection, UploadDirection, AllDirections)]
    public string Direction { get; set; } = DownloadDirection;

    /// <summary>
    /// -Direction as given. Without it, a -Status only uploads have (Uploaded, UploadFailed) brings the upload sessions in:
    /// Upload when every -Status is such, All when download statuses are asked for too.
    /// </summary>
    private string EffectiveDirection
    {
        get
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Direction)) || Status is not { Length: > 0 }) return Direction;
            var uploadOnly = Status.Count(s => !Enum.TryParse<SessionStatus>(s, ignoreCase: true, out _));
            return uploadOnly == 0 ? Direction : uploadOnly == Status.Length ? UploadDirection : AllDirections;
        }
    }

    /// <summary>The download statuses among -Status (null: no -Status; empty: only upload statuses, so no download session).</summary>
    private SessionStatus[]? DownloadStatuses()
        => Status?.Select(s => Enum.TryParse<SessionStatus>(s, ignoreCase: true, out var st) ? st : (SessionStatus?)null)
            .OfType<SessionStatus>().Distinct().ToArray();

    private void ProcessUploads(string direction)
    {
        var config = Context.Configuration;
        var jobs = NameMatcher.Resolve(this, Job, config.UploadJobs.Select(j => j.Id).Concat(direction == AllDirections ? config.Jobs.Select(j => j.Id) : []),
            "Upload job", "$.uploadJobs", ErrorIds.JobNotFound);
        var databases = NameMatcher.Resolve(this, ChannelDatabase, config.DataGroups.SelectMany(g => g.ChannelDatabases).Select(d => d.Id),
            "Channel database", "$.dataGroups[*].channelDatabases", ErrorIds.ChannelDatabaseNotFound);
        if (jobs is { Count: 0 } || databases is { Count: 0 }) return;
        var ids = Id?.Where(UploadSession.IsUploadId).ToList();
        var queries = ids is { Count: > 0 } ? ids.Select(i => new UploadQuery(Id: i, Limit: 1)).ToList()
            : AnyIfNull(databases).SelectMany(db => AnyIfNull(jobs).Select(j => new UploadQuery(ChannelDatabase: db, JobId: j, Limit: First ?? 100_000)))
                .ToList();
        var found = Run(async ct =>
        {
            await using var store = Context.OpenMessageStore();
            await store.EnsureReadyAsync(ct).ConfigureAwait(false);
            var all = new List<UploadSessionRecord>();
            foreach (var q in queries) all.AddRange(await store.QueryUploadsAsync(q, ct).ConfigureAwait(false));
            return all;
        });
        var groups = DataGroup is { Length: > 0 } ? NameMatcher.Resolve(this, DataGroup, config.DataGroups.Select(g => g.Id), "Data group", "$.dataGroups",
            ErrorIds.DataGroupNotFound) : null;
        var rows = found.DistinctBy(s => s.Id).Where(s => Wanted(s, groups)).OrderBy(s => s.Id).ToList();
        foreach (var s in First is { } first ? rows.TakeLast(first) : rows) WriteResult(UploadSession.From(s, config.UploadFolder));
        foreach (var missing in (ids ?? []).Where(i => rows.All(s => s.Id != i)))
            WriteError(new ErrorRecord(new ItemNotFoundException($"Upload session {missing} does not exist in the message database."),
                ErrorIds.SessionNotFound, ErrorCategory.ObjectNotFound, missing));
    }

    private static List<string?> AnyIfNull(List<string>? names) => names is null ? [null] : names.Cast<string?>().ToList();

    /// <summary>The filters the query does not apply: data groups, times, and -Status by name (Started, Applied, ApplyFailed, Canceled).</summary>
    private bool Wanted(UploadSessionRecord s, IReadOnlyList<string>? groups)
    {
        if (groups is not null && !groups.Contains(s.DataGroup, StringComparer.OrdinalIgnoreCase)) return false;
        if (Status is { Length: > 0 } && !Status.Any(st => string.Equals(st, s.Status.ToString(), StringComparison.OrdinalIgnoreCase))) return false;
        if (After is { } a && s.CreatedAt < Local(a)) return false;
        return Before is not { } b || s.CreatedAt < Local(b);
    }

    /// <summary>A time without a kind is local time.</summary>
    private static DateTimeOffset Local(DateTime t) => new(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Local) : t);
}
