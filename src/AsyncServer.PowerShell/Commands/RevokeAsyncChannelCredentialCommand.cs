using System.Management.Automation;
using AsyncServer.Endpoint;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Revokes a channel database's endpoint credential (or all of them); the next request with it gets 401.</para>
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "AsyncChannelCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ChannelCredentialInfo))]
public sealed class RevokeAsyncChannelCredentialCommand : AsyncServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ChannelDatabase { get; set; } = "";

    /// <summary>Only this credential (from Get-AsyncChannelCredential); default: every credential of the channel database.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, long.MaxValue)]
    public long[]? Id { get; set; }

    /// <summary>Writes the revoked credentials.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var manager = new ChannelCredentialManager(Context);
        var ids = Id is { Length: > 0 } ? Id.Select(i => (long?)i).ToList() : [null];
        foreach (var id in ids)
        {
            var what = id is null ? $"every credential of channel database {ChannelDatabase}" : $"credential {id} of channel database {ChannelDatabase}";
            if (!ShouldProcess(what, "Revoke (the store can no longer call the endpoint with it)")) continue;
            if (TryRun(ct => manager.RevokeAsync(ChannelDatabase, id, ct), (object?)id ?? ChannelDatabase) == 0) continue;
            WriteVerbose($"Revoked {what}.");
            if (PassThru)
                foreach (var c in TryRun(ct => manager.GetAsync(ChannelDatabase, includeRevoked: true, ct), ChannelDatabase) ?? [])
                    if (c.RevokedAt is not null && (id is null || c.Id == id)) WriteObject(c);
        }
    }
}
