using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Moves status messages from the message database into the HQ status tables, then purges sessions, messages and
/// files past the retention.</para>
/// </summary>
[Cmdlet(VerbsCommon.Move, "AsyncStatusMessage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    HelpUri = HelpLinks.CmdletReference + "#move-asyncstatusmessage")]
[OutputType(typeof(StatusMoveSummary))]
public sealed class MoveAsyncStatusMessageCommand : AsyncServerCmdlet
{
    private const int ProgressId = 3040;

    protected override void ProcessRecord()
    {
        var mover = new StatusMessageMover(Context);
        // The preview reads only; it gives -WhatIf and -Confirm the exact counts.
        var preview = Run(ct => mover.RunAsync(whatIf: true, null, ct));
        var what = $"{preview.MessagesMoved} status message(s) to the HQ database; purge {preview.SessionsPurged} session(s), " +
                   $"{preview.StatusMessagesPurged} moved status message(s), {preview.PackageFilesDeleted} package file(s) " +
                   $"and {preview.TempFilesDeleted} orphan temporary file(s) " +
                   $"older than {preview.RetentionDays} day(s) ({preview.BytesFreed:N0} bytes)";
        if (!ShouldProcess(what, "Move and purge")) return;
        var progress = ProgressOf<StatusMoveProgress>(p => new ProgressRecord(ProgressId, "Moving status messages", p.Status)
        {
            PercentComplete = Math.Clamp(p.PercentComplete, 0, 100),
            RecordType = p.PercentComplete >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        });
        try
        {
            WriteResult(Run(ct => mover.RunAsync(whatIf: false, progress, ct)));
        }
        finally
        {
            CompleteProgress(ProgressId, "Moving status messages");
        }
    }
}
