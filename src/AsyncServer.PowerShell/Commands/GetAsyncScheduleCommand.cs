using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Scheduling;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Lists the configured distribution schedules with their last run, last result and next due time.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AsyncSchedule", HelpUri = HelpLinks.CmdletReference + "#get-asyncschedule")]
[OutputType(typeof(ScheduleStatus))]
public sealed class GetAsyncScheduleCommand : AsyncServerCmdlet
{
    /// <summary>Schedule names; wildcards allowed. Default: every schedule.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Schedule")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ScheduleNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var config = Context.Configuration;
        var names = NameMatcher.Resolve(this, Name ?? ["*"], config.Schedules.Select(s => s.Name), "Schedule", "$.schedules",
            Diagnostics.ErrorIds.ScheduleNotFound)!;
        var chosen = names.Select(n => config.FindSchedule(n)!).ToList();
        if (chosen.Count == 0) return;
        var browser = new ScheduleBrowser(Context);
        foreach (var status in Run(ct => browser.GetAsync(chosen, ct))) WriteResult(status);
    }
}
