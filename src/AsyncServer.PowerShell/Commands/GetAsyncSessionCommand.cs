using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Lists download sessions from the message database, one row per session and channel database.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AsyncSession")]
[OutputType(typeof(DownloadSession))]
public sealed class GetAsyncSessionCommand : AsyncServerCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SessionId")]
    public long[]? Id { get; set; }

    [Parameter] public SessionStatus[]? Status { get; set; }

    [Parameter] [Alias("JobId")] [ArgumentCompleter(typeof(JobNameCompleter))] public string[]? Job { get; set; }

    [Parameter] [ArgumentCompleter(typeof(DataGroupNameCompleter))] public string[]? DataGroup { get; set; }

    [Parameter] [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))] public string[]? ChannelDatabase { get; set; }

    /// <summary>Sessions created at or after this time.</summary>
    [Parameter] public DateTime? After { get; set; }

    /// <summary>Sessions created before this time.</summary>
    [Parameter] public DateTime? Before { get; set; }

    /// <summary>Also list NoData sessions (hidden by default, as in AX).</summary>
    [Parameter] public SwitchParameter IncludeNoData { get; set; }

    /// <summary>At most this many sessions (before expansion per channel database).</summary>
    [Parameter] [ValidateRange(1, int.MaxValue)] public int? First { get; set; }

    protected override void ProcessRecord()
    {
        var query = new SessionQuery
        {
            Ids = Id,
            Statuses = Status,
            JobIds = Job,
            DataGroups = DataGroup,
            ChannelDatabases = ChannelDatabase,
            CreatedAfter = After is { } a ? new DateTimeOffset(a.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(a, DateTimeKind.Local) : a) : null,
            CreatedBefore = Before is { } b ? new DateTimeOffset(b.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(b, DateTimeKind.Local) : b) : null,
            IncludeNoData = IncludeNoData || (Status?.Contains(SessionStatus.NoData) ?? false),
            Limit = First,
        };
        var browser = new SessionBrowser(Context);
        var sessions = Run(ct => browser.GetAsync(query, ct));
        if (Id is { Length: > 0 })
            foreach (var missing in Id.Where(i => sessions.All(s => s.Id != i)))
                WriteError(new ErrorRecord(new ItemNotFoundException($"Session {missing} does not exist in the message database."),
                    "SessionNotFound", ErrorCategory.ObjectNotFound, missing));
        foreach (var s in sessions) WriteObject(s);
    }
}
