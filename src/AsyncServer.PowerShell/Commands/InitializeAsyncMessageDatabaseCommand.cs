using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates the message database schema, or upgrades it to this module's version.</para>
/// </summary>
[Cmdlet(VerbsData.Initialize, "AsyncMessageDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpLinks.CmdletReference + "#initialize-asyncmessagedatabase")]
[OutputType(typeof(MessageDatabaseInfo))]
public sealed class InitializeAsyncMessageDatabaseCommand : AsyncServerCmdlet
{
    protected override void ProcessRecord()
    {
        var connection = Run(ct => Task.FromResult(Context.MessageConnection));
        if (!ShouldProcess(connection.Display, $"Create or upgrade the message database schema to version {MessageSchema.CurrentVersion}")) return;
        WriteResult(Run(async ct =>
        {
            await using var store = Context.OpenMessageStore();
            return await store.InitializeAsync(ct).ConfigureAwait(false);
        }));
    }
}
