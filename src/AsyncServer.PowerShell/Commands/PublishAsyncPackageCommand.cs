using System.Management.Automation;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Validates a staged package and makes its download session Available.</para>
/// </summary>
[Cmdlet(VerbsData.Publish, "AsyncPackage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpLinks.CmdletReference + "#publish-asyncpackage")]
[OutputType(typeof(DownloadSession))]
public sealed class PublishAsyncPackageCommand : AsyncServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PackagePath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var publisher = new PackagePublisher(Context);
        foreach (var item in Path)
        {
            var path = GetUnresolvedProviderPathFromPSPath(item);
            if (!ShouldProcess(path, "Publish package"))
            {
                // -WhatIf still proves the package, so the operator learns now what would fail.
                TryRun(ct => publisher.ValidateAsync(path, ct), path);
                continue;
            }
            var session = TryRun(ct => publisher.PublishAsync(path, ct), path);
            if (session is not null && PassThru)
                foreach (var row in SessionBrowser.Expand(Context.Configuration, [session])) WriteResult(row);
        }
    }
}
