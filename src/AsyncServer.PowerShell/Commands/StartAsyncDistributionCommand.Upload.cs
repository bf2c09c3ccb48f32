using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.Messaging;
using AsyncServer.Upload;

namespace AsyncServer.PowerShell.Commands;

/// <summary>Start-AsyncDistribution -Schedule for an upload schedule: applies at HQ what the stores have sent (docs/upload.md).</summary>
public sealed partial class StartAsyncDistributionCommand
{
    // The applier logs each failed session as an error; this cmdlet writes an ErrorRecord for it (one report per failure).
    protected override bool IsReportedAsError(AsyncServer.Diagnostics.EngineLogLevel level, string category)
        => level >= AsyncServer.Diagnostics.EngineLogLevel.Error && category == typeof(UploadApplier).FullName;

    private List<ScheduleSettings> UploadSchedules()
        => Schedule.Select(n => Context.Configuration.FindSchedule(n)).OfType<ScheduleSettings>().Where(s => s.IsUpload).ToList();

    private void ApplyUploads(ScheduleSettings schedule)
    {
        var applier = new UploadApplier(Context);
        if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
        {
            foreach (var s in Run(ct => applier.ApplyAsync(schedule.Jobs, schedule.DataGroups, plan: true, ct)))
                ShouldProcess($"upload session {s.SessionId} of channel database {s.ChannelDatabase} ({s.JobId}, {s.Rows} rows)", "Apply at HQ");
            return;
        }
        if (!ShouldProcess($"upload schedule {schedule.Name}", "Apply the upload sessions that have arrived")) return;
        var results = Run(ct => applier.ApplyAsync(schedule.Jobs, schedule.DataGroups, plan: false, ct));
        var records = Run(async ct =>
        {
            await using var store = Context.OpenMessageStore();
            var list = new List<UploadSessionRecord>();
            foreach (var r in results) list.AddRange(await store.QueryUploadsAsync(new UploadQuery(Id: r.SessionId, Limit: 1), ct).ConfigureAwait(false));
            return list;
        });
        foreach (var record in records)
        {
            if (record.Status == UploadStatus.ApplyFailed)
                WriteError(new ErrorRecord(new InvalidOperationException(record.Message), AsyncServer.Diagnostics.ErrorIds.ApplyFailed,
                    ErrorCategory.InvalidData, record.Id));
            WriteResult(UploadSession.From(record, Context.Configuration.UploadFolder));
        }
    }
}
