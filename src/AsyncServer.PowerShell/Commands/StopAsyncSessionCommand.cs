using System.Management.Automation;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Cancels a download session at one channel database, or everywhere; a session being created stops its distribution.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "AsyncSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    HelpUri = HelpLinks.CmdletReference + "#stop-asyncsession")]
[OutputType(typeof(DownloadSession), typeof(AsyncServer.Upload.UploadSession))]
public sealed class StopAsyncSessionCommand : SessionActionCmdlet
{
    protected override string Action => "Cancel";
    protected override string Everywhere => "everywhere";

    protected override Task<DownloadSessionRecord> ActAsync(SessionLifecycle lifecycle, long sessionId, string? channelDatabase, CancellationToken ct)
        => lifecycle.CancelAsync(sessionId, channelDatabase, ct);

    protected override Task<UploadSessionRecord> ActOnUploadAsync(AsyncServer.Upload.UploadLifecycle lifecycle, long sessionId, CancellationToken ct)
        => lifecycle.CancelAsync(sessionId, ct);
}
