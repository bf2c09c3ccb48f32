using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Upload;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Sends a store's new transactions to HQ: the rows of every upload job above the counter HQ acknowledged, read in one
/// transaction, as one package per job in the upload folder, recorded as an upload session.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "AsyncPackage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = "Configuration", HelpUri = HelpLinks.CmdletReference + "#send-asyncpackage")]
[OutputType(typeof(UploadSession))]
public sealed partial class SendAsyncPackageCommand : StoreEndpointCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ChannelDatabaseId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[] ChannelDatabase { get; set; } = [];

    /// <summary>Upload jobs to send (default: every upload job of $.uploadJobs).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("JobId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    public string[] Job { get; set; } = [];

    [Parameter] [ValidateNotNullOrEmpty] public string? InstanceId { get; set; }

    protected override string? InstanceIdOverride => InstanceId;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == EndpointSet) { ProcessEndpoint(); return; }
        var sender = new UploadSender(Context, FolderUploadTransport.Of(Context.Configuration));
        foreach (var db in ChannelDatabase)
        {
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                // -WhatIf reads the store and the message database and says how many rows per table would go; it writes nothing.
                foreach (var run in TryRun(ct => sender.PlanAsync(db, Job, ct), db) ?? [])
                    foreach (var t in run.Tables)
                        ShouldProcess($"{t.Rows} row(s) of {t.ChannelTable} (counters {t.FromCounter}..{t.ToCounter}] " +
                            $"from channel database {db}, job {t.JobId}", "Send");
                continue;
            }
            if (!ShouldProcess($"channel database {db}", "Send new rows to HQ")) continue;
            var results = TryRun(ct => sender.SendAsync(db, Job, ct), db);
            foreach (var run in results ?? [])
            {
                if (run.SessionId is null) { WriteVerbose($"Channel database {db}, job {run.JobId}: {run.Message}."); continue; }
                var record = Run(ct => FindAsync(run.SessionId.Value, ct));
                if (record is not null) WriteResult(UploadSession.From(record, Context.Configuration.UploadFolder));
            }
        }
    }

    private async Task<UploadSessionRecord?> FindAsync(long id, CancellationToken ct)
    {
        await using var store = Context.OpenMessageStore();
        return (await store.QueryUploadsAsync(new UploadQuery(Id: id, Limit: 1), ct).ConfigureAwait(false)).SingleOrDefault();
    }
}
