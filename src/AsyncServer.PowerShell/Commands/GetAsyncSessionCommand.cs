using System.Management.Automation;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Lists download sessions (one row per session and channel database) or upload sessions from the message database.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AsyncSession", HelpUri = HelpLinks.CmdletReference + "#get-asyncsession")]
[OutputType(typeof(DownloadSession), typeof(AsyncServer.Upload.UploadSession))]
public sealed partial class GetAsyncSessionCommand : AsyncServerCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SessionId")]
    [ArgumentCompleter(typeof(SessionIdCompleter))]
    public long[]? Id { get; set; }

    /// <summary>
    /// Download statuses (Available, Requested, ...) and upload statuses (Uploaded, UploadFailed, ...): the names of both
    /// enums. Statuses only uploads have select upload sessions without -Direction.
    /// </summary>
    [Parameter]
    [ValidateSet(StatusNames.Started, StatusNames.Available, StatusNames.Requested, StatusNames.Downloaded, StatusNames.Applied, StatusNames.Canceled,
        StatusNames.CreateFailed, StatusNames.DownloadFailed, StatusNames.ApplyFailed, StatusNames.NoData, StatusNames.Suspended, StatusNames.Uploaded,
        StatusNames.UploadFailed)]
    public string[]? Status { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("JobId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    public string[]? Job { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DataGroupId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DataGroupNameCompleter))]
    public string[]? DataGroup { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ChannelDatabaseId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[]? ChannelDatabase { get; set; }

    /// <summary>Sessions created at or after this time.</summary>
    [Parameter] public DateTime? After { get; set; }

    /// <summary>Sessions created before this time.</summary>
    [Parameter] public DateTime? Before { get; set; }

    /// <summary>Also list NoData sessions (hidden by default, as in AX).</summary>
    [Parameter] public SwitchParameter IncludeNoData { get; set; }

    /// <summary>At most this many objects (rows, one per session and channel database), oldest first.</summary>
    [Parameter] [ValidateRange(1, int.MaxValue)] public int? First { get; set; }

    protected override void ProcessRecord()
    {
        var direction = EffectiveDirection;
        if (direction != DownloadDirection || Id?.Any(AsyncServer.Upload.UploadSession.IsUploadId) == true) ProcessUploads(direction);
        if (direction == UploadDirection || Id is { Length: > 0 } && Id.All(AsyncServer.Upload.UploadSession.IsUploadId)) return;
        var statuses = DownloadStatuses();
        if (statuses is { Length: 0 }) return;
        var config = Context.Configuration;
        var ids = Id?.Where(i => !AsyncServer.Upload.UploadSession.IsUploadId(i)).ToArray();
        var jobs = NameMatcher.Resolve(this, Job, config.Jobs.Select(j => j.Id).Concat(direction == AllDirections ? config.UploadJobs.Select(j => j.Id) : []),
            "Job", "$.jobs", ErrorIds.JobNotFound);
        var groups = NameMatcher.Resolve(this, DataGroup, config.DataGroups.Select(g => g.Id), "Data group", "$.dataGroups", ErrorIds.DataGroupNotFound);
        var databases = NameMatcher.Resolve(this, ChannelDatabase, config.DataGroups.SelectMany(g => g.ChannelDatabases).Select(d => d.Id),
            "Channel database", "$.dataGroups[*].channelDatabases", ErrorIds.ChannelDatabaseNotFound);
        // A name filter that selects nothing selects no session (an empty list would not filter at all).
        if (jobs is { Count: 0 } || groups is { Count: 0 } || databases is { Count: 0 }) return;
        var query = new SessionQuery
        {
            Ids = ids,
            Statuses = statuses,
            JobIds = jobs,
            DataGroups = groups,
            ChannelDatabases = databases,
            CreatedAfter = After is { } a ? new DateTimeOffset(a.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(a, DateTimeKind.Local) : a) : null,
            CreatedBefore = Before is { } b ? new DateTimeOffset(b.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(b, DateTimeKind.Local) : b) : null,
            IncludeNoData = IncludeNoData || (statuses?.Contains(SessionStatus.NoData) ?? false),
            // Every session yields at least one row, so First sessions hold at least First rows.
            Limit = First,
        };
        // Streamed: the store reads a page of sessions at a time and each row is written as it comes, so a query
        // without -First over a large message database never holds every session in memory (issue 12, point 10).
        var browser = new SessionBrowser(Context);
        var seen = new HashSet<long>();
        Run(async ct =>
        {
            var written = 0;
            await foreach (var s in browser.StreamAsync(query, ct).ConfigureAwait(false))
            {
                if (First is { } first && written >= first) break;
                written++;
                if (ids is { Length: > 0 }) seen.Add(s.Id);
                Post(() => WriteResult(s));
            }
            return written;
        });
        if (ids is { Length: > 0 })
            foreach (var missing in ids.Where(i => !seen.Contains(i)))
                WriteError(new ErrorRecord(new ItemNotFoundException($"Session {missing} does not exist in the message database."),
                    ErrorIds.SessionNotFound, ErrorCategory.ObjectNotFound, missing));
    }
}
