using System.Management.Automation;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Samples;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Makes random inserts, updates and deletes in the sample HQ database, to see incremental distribution at work.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "AsyncSampleData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    HelpUri = HelpLinks.CmdletReference + "#update-asyncsampledata")]
[OutputType(typeof(SampleChangeSummary))]
public sealed class UpdateAsyncSampleDataCommand : AsyncServerCmdlet
{
    private const int ProgressId = 3050;

    [Parameter] [ValidateRange(0, 1_000_000)] public int Insert { get; set; } = 10;
    [Parameter] [ValidateRange(0, 1_000_000)] public int Update { get; set; } = 25;
    [Parameter] [ValidateRange(0, 1_000_000)] public int Delete { get; set; } = 5;
    [Parameter] public int Seed { get; set; } = Environment.TickCount;

    protected override void ProcessRecord()
    {
        var hq = Run(ct => Task.FromResult(Context.HqConnection));
        var file = EngineContext.ProviderOf(hq).DatabaseFile(hq);
        if (file is null)
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("Update-AsyncSampleData works on a SQLite sample HQ database only."),
                "SampleNeedsSqlite", ErrorCategory.InvalidOperation, hq.Display));
        if (!ShouldProcess(hq.Display, $"Insert {Insert} products, update {Update} rows, delete {Delete} rows (seed {Seed})")) return;
        var progress = ProgressOf<SampleChangeProgress>(p =>
            new ProgressRecord(ProgressId, "Changing sample data", $"{p.Activity}: {p.Done:N0} of {p.Total:N0}")
        {
            PercentComplete = Math.Clamp(p.PercentComplete, 0, 100),
            RecordType = p.Done >= p.Total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        });
        SampleChangeSummary summary;
        try
        {
            summary = Run(ct => SampleData.ChangeAsync(file!, Seed, Insert, Update, Delete, progress: progress, cancellationToken: ct));
        }
        finally
        {
            CompleteProgress(ProgressId, "Changing sample data");
        }
        WriteVerbose($"Sample data changed (seed {Seed}): {summary.Inserted} inserted, {summary.Updated} updated, {summary.Deleted} deleted.");
        WriteResult(summary);
    }
}
