using System.Management.Automation;
using AsyncServer.Endpoint;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Revokes a channel database's endpoint credential (or all of them); the next request with it gets 401.</para>
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "AsyncChannelCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    HelpUri = HelpLinks.CmdletReference + "#revoke-asyncchannelcredential")]
[OutputType(typeof(ChannelCredentialInfo))]
public sealed class RevokeAsyncChannelCredentialCommand : AsyncServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ChannelDatabaseId")]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] ChannelDatabase { get; set; } = [];

    /// <summary>Only this credential (from Get-AsyncChannelCredential); default: every credential of the channel database.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")] // Get-AsyncChannelCredential's Id property binds by name
    [ValidateRange(1, long.MaxValue)]
    public long[]? CredentialId { get; set; }

    /// <summary>Writes the revoked credentials.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var manager = new ChannelCredentialManager(Context);
        var ids = CredentialId is { Length: > 0 } ? CredentialId.Select(i => (long?)i).ToList() : [null];
        foreach (var db in ChannelDatabase)
            foreach (var id in ids)
            {
                var what = id is null ? $"every credential of channel database {db}" : $"credential {id} of channel database {db}";
                if (!ShouldProcess(what, "Revoke (the store can no longer call the endpoint with it)")) continue;
                if (TryRun(ct => manager.RevokeAsync(db, id, ct), (object?)id ?? db) == 0) continue;
                WriteVerbose($"Revoked {what}.");
                if (PassThru)
                    foreach (var c in TryRun(ct => manager.GetAsync(db, includeRevoked: true, ct), db) ?? [])
                        if (c.RevokedAt is not null && (id is null || c.Id == id)) WriteResult(c);
            }
    }
}
