using System.Management.Automation;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Packages HQ changes for jobs and data groups and records download sessions.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AsyncDistribution", DefaultParameterSetName = ScheduleSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpLinks.CmdletReference + "#start-asyncdistribution")]
[OutputType(typeof(DownloadSession), typeof(AsyncServer.Upload.UploadSession))]
public sealed partial class StartAsyncDistributionCommand : AsyncServerCmdlet
{
    private const string ScheduleSet = "Schedule";
    private const string JobSet = "Job";
    private const int ProgressId = 1040;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScheduleSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ScheduleNameCompleter))]
    public string[] Schedule { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = JobSet, ValueFromPipelineByPropertyName = true)]
    [Alias("JobId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    public string[] Job { get; set; } = [];

    [Parameter(ParameterSetName = JobSet, ValueFromPipelineByPropertyName = true)]
    [Alias("DataGroupId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DataGroupNameCompleter))]
    public string[] DataGroup { get; set; } = [];

    [Parameter] public SwitchParameter FullSync { get; set; }

    [Parameter] [Alias("ChannelDatabaseId")] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[] ChannelDatabase { get; set; } = [];

    [Parameter] public SwitchParameter DeleteExistingData { get; set; }

    [Parameter] public SwitchParameter NoPublish { get; set; }

    /// <summary>Recorded on sessions and leases; default host:pid.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? InstanceId { get; set; }

    protected override string? InstanceIdOverride => InstanceId;

    protected override void ProcessRecord()
    {
        var uploads = ParameterSetName == ScheduleSet ? UploadSchedules() : [];
        foreach (var schedule in uploads) ApplyUploads(schedule);
        if (uploads.Count > 0 && uploads.Count == Schedule.Length) return;
        var request = new DistributionRequest
        {
            Schedules = ParameterSetName == ScheduleSet ? Schedule : [],
            Jobs = ParameterSetName == JobSet ? Job : [],
            DataGroups = DataGroup,
            FullSync = FullSync,
            ChannelDatabases = ChannelDatabase,
            DeleteExistingData = DeleteExistingData,
            NoPublish = NoPublish,
        };
        var runner = new DistributionRunner(Context);

        if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
        {
            // -WhatIf reads HQ and the message database to show exactly what would be packaged, and writes nothing.
            foreach (var item in Run(ct => runner.PlanAsync(request, ct)))
                ShouldProcess(item.ToString(), "Distribute");
            return;
        }

        var runs = Run(ct => Task.FromResult(DistributionPlanner.Expand(Context.Configuration, request)));
        // Deleting the channel databases' data before a full sync destroys data: it confirms as ConfirmImpact High.
        var approved = runs.Where(r => DeleteExistingData
                ? ShouldProcessDestructive($"job {r.Job.Id} to data group {r.DataGroup.Id}",
                    "Full sync, deleting the existing data of its tables at the channel databases")
                : ShouldProcess($"job {r.Job.Id} to data group {r.DataGroup.Id}", FullSync ? "Full sync" : "Distribute"))
            .Select(r => $"{r.Job.Id}|{r.DataGroup.Id}").ToList();
        if (approved.Count == 0) return;
        request = request with { OnlyRuns = approved };

        var progress = ProgressOf<DistributionProgress>(p => new ProgressRecord(ProgressId, p.Activity, p.Status)
        {
            PercentComplete = p.PercentComplete,
            RecordType = p.PercentComplete >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        });
        try
        {
            var sessions = Run(ct => runner.RunAsync(request, progress, ct));
            foreach (var session in SessionBrowser.Expand(Context.Configuration, sessions, new SessionQuery { IncludeNoData = true }))
                WriteResult(session);
        }
        finally
        {
            CompleteProgress(ProgressId, "Distribution");
        }
    }
}
