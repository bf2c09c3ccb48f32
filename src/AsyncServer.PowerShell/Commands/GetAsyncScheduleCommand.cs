using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Scheduling;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Lists the configured distribution schedules with their last run, last result and next due time.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AsyncSchedule")]
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
        var chosen = new List<ScheduleSettings>();
        foreach (var pattern in Name ?? ["*"])
        {
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
            var matches = config.Schedules.Where(s => wildcard.IsMatch(s.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                WriteError(new ErrorRecord(new ItemNotFoundException($"Schedule '{pattern}' is not defined in the configuration's $.schedules."),
                    Diagnostics.ErrorIds.ScheduleNotFound, ErrorCategory.ObjectNotFound, pattern));
            chosen.AddRange(matches.Where(m => !chosen.Contains(m)));
        }
        if (chosen.Count == 0) return;
        var browser = new ScheduleBrowser(Context);
        foreach (var status in Run(ct => browser.GetAsync(chosen, ct))) WriteObject(status);
    }
}
