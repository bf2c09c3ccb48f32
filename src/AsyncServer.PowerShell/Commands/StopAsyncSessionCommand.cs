using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Cancels a download session at one channel database, or everywhere; a session being created stops its distribution.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "AsyncSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DownloadSession))]
public sealed class StopAsyncSessionCommand : AsyncServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SessionId")]
    public long[] Id { get; set; } = [];

    /// <summary>Cancel only at this channel database; empty cancels the session everywhere.</summary>
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
            var what = db is null ? $"session {id} (everywhere)" : $"session {id} at channel database {db}";
            if (!ShouldProcess(what, "Cancel")) continue;
            var record = TryRun(ct => lifecycle.CancelAsync(id, db, ct), id);
            if (record is not null && PassThru)
                foreach (var row in SessionBrowser.Expand(Context.Configuration, [record], db is null ? null : new SessionQuery { ChannelDatabases = [db] })) WriteObject(row);
        }
    }
}
