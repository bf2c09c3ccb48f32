using System.Management.Automation;
using AsyncServer.Endpoint;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a secret a channel database (store) uses to call the endpoint; shown once, stored only as a salted hash.
/// A second one rotates it.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "AsyncChannelCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpLinks.CmdletReference + "#new-asyncchannelcredential")]
[OutputType(typeof(NewChannelCredential))]
public sealed class NewAsyncChannelCredentialCommand : AsyncServerCmdlet
{
    /// <summary>The channel database (store) ids, as in the configuration's data groups.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("ChannelDatabaseId")]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[] ChannelDatabase { get; set; } = [];

    /// <summary>When the secret stops working (default: never; revoke it instead).</summary>
    [Parameter]
    public DateTime? ExpiresAt { get; set; }

    protected override void ProcessRecord()
    {
        var manager = new ChannelCredentialManager(Context);
        DateTimeOffset? expires = ExpiresAt is { } e
            ? new DateTimeOffset(e.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(e, DateTimeKind.Local) : e)
            : null;
        foreach (var db in ChannelDatabase)
        {
            if (!ShouldProcess($"channel database {db}", "Create an endpoint credential")) continue;
            var created = TryRun(ct => manager.CreateAsync(db, expires, ct), db);
            if (created is null) continue;
            WriteWarning($"The secret of channel database {created.ChannelDatabase} (credential {created.Id}) is shown only now; " +
                "give it to the store and keep it in a secret store.");
            WriteResult(created);
        }
    }
}
