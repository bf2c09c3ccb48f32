using System.Management.Automation;
using AsyncServer.Endpoint;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Lists the endpoint credentials of channel databases: created, expires, last used and the last contact. Never the secret.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AsyncChannelCredential", HelpUri = HelpLinks.CmdletReference + "#get-asyncchannelcredential")]
[OutputType(typeof(ChannelCredentialInfo))]
public sealed class GetAsyncChannelCredentialCommand : AsyncServerCmdlet
{
    /// <summary>Only these channel databases (default: all).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("ChannelDatabaseId")]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[]? ChannelDatabase { get; set; }

    /// <summary>Also revoked credentials.</summary>
    [Parameter]
    public SwitchParameter IncludeRevoked { get; set; }

    protected override void ProcessRecord()
    {
        var manager = new ChannelCredentialManager(Context);
        foreach (var db in ChannelDatabase ?? [null!])
        {
            var list = TryRun(ct => manager.GetAsync(db, IncludeRevoked, ct), db);
            foreach (var c in list ?? []) WriteResult(c);
        }
    }
}
