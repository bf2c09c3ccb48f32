using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Reruns a failed, suspended or canceled download session: packages it again if its file is gone and makes it Available with its tries reset.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "AsyncSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DownloadSession))]
public sealed class RestartAsyncSessionCommand : AsyncServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SessionId")]
    public long[] Id { get; set; } = [];

    /// <summary>Rerun only at this channel database; empty reruns it at every channel database where it failed, is suspended or was canceled.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [AllowNull]
    public string? ChannelDatabase { get; set; }

    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var lifecycle = new SessionLifecycle(Context);
        var db = string.IsNullOrEmpty(ChannelDatabase) ? null : ChannelDatabase;
        foreach (var id in Id)
        {
            var what = db is null ? $"session {id} (every failed, suspended or canceled channel database)" : $"session {id} at channel database {db}";
            if (!ShouldProcess(what, "Rerun")) continue;
            var record = TryRun(ct => lifecycle.RestartAsync(id, db, ct), id);
            if (record is not null && PassThru)
                foreach (var row in SessionBrowser.Expand(Context.Configuration, [record], db is null ? null : new SessionQuery { ChannelDatabases = [db] })) WriteObject(row);
        }
    }
}
