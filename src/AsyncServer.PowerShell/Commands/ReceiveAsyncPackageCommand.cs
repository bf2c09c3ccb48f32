using System.Management.Automation;
using AsyncServer.Client;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">The reference Async Client: downloads and applies the pending packages of a channel database, in session order.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "AsyncPackage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = "Configuration", HelpUri = HelpLinks.CmdletReference + "#receive-asyncpackage")]
[OutputType(typeof(DownloadSession))]
public sealed partial class ReceiveAsyncPackageCommand : StoreEndpointCmdlet
{
    private const int ProgressId = 3010;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ChannelDatabaseId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[] ChannelDatabase { get; set; } = [];

    /// <summary>Overrides the channel database's connection string from the configuration.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? ChannelConnectionString { get; set; }

    /// <summary>Folder packages are copied to before they are applied.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? LocalFolder { get; set; }

    /// <summary>Apply at most this many sessions per channel database.</summary>
    [Parameter] [ValidateRange(1, int.MaxValue)] public int? First { get; set; }

    [Parameter] [ValidateNotNullOrEmpty] public string? InstanceId { get; set; }

    protected override string? InstanceIdOverride => InstanceId;

    // The receiver logs each failed session as an error; this cmdlet writes an ErrorRecord for it (one report per failure).
    protected override bool IsReportedAsError(EngineLogLevel level, string category)
        => level >= EngineLogLevel.Error
            && category == typeof(PackageReceiver).FullName;

    /// <summary>Receive over the endpoint as a store-side client settings file says (the service's "client" section; docs/endpoint.md).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSettingsSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientSettingsPath { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == EndpointSet) { ProcessEndpoint(); return; }
        if (ParameterSetName == ClientSettingsSet) { ProcessClientSettings(); return; }
        var receiver = new PackageReceiver(Context);
        foreach (var db in ChannelDatabase)
        {
            var request = new ReceiveRequest(db)
            {
                ChannelConnectionString = ChannelConnectionString,
                LocalFolder = LocalFolder is null ? null : GetUnresolvedProviderPathFromPSPath(LocalFolder),
                MaxSessions = First ?? 0,
            };
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                // -WhatIf reads the message database and lists each pending session with what would happen to it.
                WritePlan(TryRun(ct => receiver.PlanAsync(request, ct), db), $"Channel database {db} has no pending session.");
                continue;
            }
            if (!ShouldProcess($"channel database {db}", "Receive and apply pending packages")) continue;

            var progress = NewProgress();
            try
            {
                WriteSessions(TryRun(ct => receiver.RunAsync(request, progress, ct), db));
            }
            finally
            {
                CompleteProgress(ProgressId, $"Receiving packages for {db}");
            }
        }
    }

    /// <summary>-WhatIf: one ShouldProcess line per pending session, with what would happen to it (both parameter sets).</summary>
    private void WritePlan(IReadOnlyList<ReceivePlanItem>? plan, string nothingPending)
    {
        if (plan is null) return;
        if (plan.Count == 0) WriteVerbose(nothingPending);
        foreach (var item in plan) ShouldProcess(item.ToString(), "Receive");
    }

    private IProgress<ReceiveProgress> NewProgress() => ProgressOf<ReceiveProgress>(p => new ProgressRecord(ProgressId, p.Activity, p.Status)
    {
        PercentComplete = Math.Clamp(p.PercentComplete, 0, 100),
        RecordType = p.PercentComplete >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
    });

    /// <summary>
    /// Writes the sessions a run handled. A failed session is an error the scheduler's log should show, with the reason;
    /// the object still goes out.
    /// </summary>
    private void WriteSessions(IReadOnlyList<DownloadSession>? sessions)
    {
        foreach (var s in sessions ?? [])
        {
            if (s.Status is SessionStatus.ApplyFailed or SessionStatus.DownloadFailed)
            {
                var id = s.Status == SessionStatus.ApplyFailed ? ErrorIds.ApplyFailed : ErrorIds.DownloadFailed;
                WriteError(new ErrorRecord(
                    new AsyncServerException(id, ErrorKind.InvalidData, $"Session {s.Id} (job {s.Job}) at {s.ChannelDatabase}: {s.Status}: {s.Message}", s),
                    id, ErrorCategory.InvalidData, s));
            }
            WriteResult(s);
        }
    }
}
