using System.Management.Automation;
using AsyncServer.Distribution;
using AsyncServer.Messaging;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// What Stop- and Restart-AsyncSession share: sessions by id (from the pipeline too), an optional channel
/// database, ShouldProcess per session, and -PassThru showing each session's rows afterwards. A derived
/// cmdlet names its action and calls one SessionLifecycle method.
/// </summary>
public abstract class SessionActionCmdlet : AsyncServerCmdlet
{
    /// <summary>Session ids: typed, piped as numbers (3 | Stop-AsyncSession) or bound from objects' Id or SessionId.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SessionId")]
    [ArgumentCompleter(typeof(SessionIdCompleter))]
    public long[] Id { get; set; } = [];

    /// <summary>Only at these channel databases; empty means every channel database the action applies to.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("ChannelDatabaseId")]
    [AllowEmptyString]
    [AllowEmptyCollection]
    [AllowNull]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[]? ChannelDatabase { get; set; }

    [Parameter] public SwitchParameter PassThru { get; set; }

    /// <summary>The verb ShouldProcess shows ("Cancel", "Rerun").</summary>
    protected abstract string Action { get; }

    /// <summary>What "every channel database" means for this action, shown by ShouldProcess.</summary>
    protected abstract string Everywhere { get; }

    protected abstract Task<DownloadSessionRecord> ActAsync(SessionLifecycle lifecycle, long sessionId, string? channelDatabase, CancellationToken ct);

    /// <summary>The same action on an upload session (ids from <see cref="AsyncServer.Upload.UploadSession.FirstId"/> on).</summary>
    protected abstract Task<UploadSessionRecord> ActOnUploadAsync(AsyncServer.Upload.UploadLifecycle lifecycle, long sessionId, CancellationToken ct);

    /// <summary>An upload session is one store's: it has no channel databases to choose among.</summary>
    private void ActOnUpload(long id)
    {
        if (!ShouldProcess($"upload session {id}", Action)) return;
        var record = TryRun(ct => ActOnUploadAsync(new AsyncServer.Upload.UploadLifecycle(Context), id, ct), id);
        if (record is not null && PassThru) WriteResult(AsyncServer.Upload.UploadSession.From(record, Context.Configuration.UploadFolder));
    }

    protected override void ProcessRecord()
    {
        var lifecycle = new SessionLifecycle(Context);
        // Empty strings mean "everywhere" (Get-AsyncSession writes one for a session without targets).
        var named = (ChannelDatabase ?? []).Where(d => !string.IsNullOrEmpty(d)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        IReadOnlyList<string?> databases = named.Count == 0 ? [null] : (IReadOnlyList<string?>)named;
        foreach (var id in Id.Where(AsyncServer.Upload.UploadSession.IsUploadId)) ActOnUpload(id);
        foreach (var id in Id.Where(i => !AsyncServer.Upload.UploadSession.IsUploadId(i)))
            foreach (var db in databases)
            {
                var what = db is null ? $"session {id} ({Everywhere})" : $"session {id} at channel database {db}";
                if (!ShouldProcess(what, Action)) continue;
                var record = TryRun(ct => ActAsync(lifecycle, id, db, ct), id);
                if (record is not null && PassThru)
                {
                    var only = db is null ? null : new SessionQuery { ChannelDatabases = [db] };
                    foreach (var row in SessionBrowser.Expand(Context.Configuration, [record], only)) WriteResult(row);
                }
            }
    }
}
