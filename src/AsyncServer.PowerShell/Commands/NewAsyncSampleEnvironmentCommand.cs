using System.Management.Automation;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Samples;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a self-contained SQLite setup to try AsyncServer: sample HQ database, message database, configuration.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "AsyncSampleEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(SampleEnvironmentInfo))]
public sealed class NewAsyncSampleEnvironmentCommand : AsyncServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Number of products; customers are half as many. About 8 rows per product in all.</summary>
    [Parameter] [ValidateRange(1, 1_000_000)] public int Products { get; set; } = 800;

    /// <summary>Replace an existing sample environment in the folder.</summary>
    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(Path);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !Force)
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"Folder '{folder}' is not empty; use -Force to replace the sample environment in it."),
                "SampleFolderNotEmpty", ErrorCategory.ResourceExists, folder));
        }
        if (!ShouldProcess(folder, "Create sample environment")) return;
        if (Force && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        WriteObject(Run(ct => SampleEnvironment.CreateAsync(folder, Products, ct), folder));
    }
}
