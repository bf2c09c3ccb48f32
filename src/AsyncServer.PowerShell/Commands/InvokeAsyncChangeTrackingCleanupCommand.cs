using System.Management.Automation;
using AsyncServer.ChangeTracking;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Removes HQ change history older than the retention. SQL Server cleans up by itself: there this runs its cleanup now (by the database's retention), and a zero retention drops all history (docs/sqlserver.md).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AsyncChangeTrackingCleanup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ChangeTrackingTableInfo))]
public sealed class InvokeAsyncChangeTrackingCleanupCommand : AsyncServerCmdlet
{
    /// <summary>
    /// Days of history to keep; older changes are removed and minimum valid versions move up. Days, not a
    /// TimeSpan: PowerShell turns a bare number into a TimeSpan of ticks, which would remove nearly everything.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateRange(0.0, 36500.0)]
    public double RetentionDays { get; set; }

    private TimeSpan Retention => TimeSpan.FromDays(RetentionDays);

    protected override void ProcessRecord()
    {
        var hq = Run(ct => Task.FromResult(Context.HqConnection));
        if (!ShouldProcess(hq.Display, $"Remove change history older than {RetentionDays} days")) return;
        var result = Run(async ct =>
        {
            await using var source = Context.OpenChangeSource();
            return await source.CleanupChangeTrackingAsync(Retention, ct).ConfigureAwait(false);
        });
        foreach (var info in result) WriteObject(info);
    }
}
