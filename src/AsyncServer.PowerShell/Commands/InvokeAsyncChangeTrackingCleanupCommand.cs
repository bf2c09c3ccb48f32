using System.Management.Automation;
using AsyncServer.ChangeTracking;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Removes HQ change history older than the retention. SQL Server cleans up by itself: there this runs its cleanup
/// now (by the database's retention), and a zero retention drops all history (docs/sqlserver.md).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AsyncChangeTrackingCleanup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    HelpUri = HelpLinks.CmdletReference + "#invoke-asyncchangetrackingcleanup")]
[OutputType(typeof(ChangeTrackingTableInfo))]
public sealed class InvokeAsyncChangeTrackingCleanupCommand : AsyncServerCmdlet
{
    /// <summary>
    /// Days of history to keep; older changes are removed and minimum valid versions move up. Default: the
    /// configuration's retentionDays, as for Enable-AsyncChangeTracking (the same Int32 parameter there). Days,
    /// not a TimeSpan: PowerShell turns a bare number into a TimeSpan of ticks, which would remove nearly everything.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 36500)]
    public int? RetentionDays { get; set; }

    protected override void ProcessRecord()
    {
        var hq = Run(ct => Task.FromResult(Context.HqConnection));
        var days = RetentionDays ?? Context.Configuration.RetentionDays;
        var retention = TimeSpan.FromDays(days);
        if (!ShouldProcess(hq.Display, $"Remove change history older than {days} days")) return;
        var result = Run(async ct =>
        {
            await using var source = Context.OpenChangeSource();
            return await source.CleanupChangeTrackingAsync(retention, ct).ConfigureAwait(false);
        });
        foreach (var info in result) WriteResult(info);
    }
}
