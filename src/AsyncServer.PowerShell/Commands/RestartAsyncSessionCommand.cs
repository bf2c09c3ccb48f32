using System.Management.Automation;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Reruns a failed, suspended or canceled download session: packages it again if its file is gone and makes it
/// Available with its tries reset.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "AsyncSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpLinks.CmdletReference + "#restart-asyncsession")]
[OutputType(typeof(DownloadSession), typeof(AsyncServer.Upload.UploadSession))]
public sealed class RestartAsyncSessionCommand : SessionActionCmdlet
{
    protected override string Action => "Rerun";
    protected override string Everywhere => "every failed, suspended or canceled channel database";

    protected override Task<DownloadSessionRecord> ActAsync(SessionLifecycle lifecycle, long sessionId, string? channelDatabase, CancellationToken ct)
        => lifecycle.RestartAsync(sessionId, channelDatabase, ct);

    protected override Task<UploadSessionRecord> ActOnUploadAsync(AsyncServer.Upload.UploadLifecycle lifecycle, long sessionId, CancellationToken ct)
        => lifecycle.RerunAsync(sessionId, ct);
}
