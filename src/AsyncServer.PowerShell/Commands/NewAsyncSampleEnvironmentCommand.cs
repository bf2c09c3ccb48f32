using System.Management.Automation;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Samples;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a self-contained SQLite setup to try AsyncServer: sample HQ database, message database, configuration.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "AsyncSampleEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    HelpUri = HelpLinks.CmdletReference + "#new-asyncsampleenvironment")]
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
        CreateFolder(folder);
        WriteResult(Run(ct => SampleEnvironment.CreateAsync(folder, Products, ct), folder));
    }

    /// <summary>Creates the folder, or stops with an error saying it cannot be created there and why.</summary>
    private void CreateFolder(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            // A folder can exist and still refuse files (a read-only mount): find out now, not halfway through.
            var probe = System.IO.Path.Combine(folder, $".asyncserver-probe-{Guid.NewGuid():N}.tmp");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var existing = System.IO.Path.GetDirectoryName(folder);
            while (existing is not null && !Directory.Exists(existing)) existing = System.IO.Path.GetDirectoryName(existing);
            // Creating a folder in /proc fails with "Could not find file": that names no reason, so it is not repeated.
            var why = ex switch
            {
                UnauthorizedAccessException => $"this account may not create files or folders in '{existing ?? folder}'",
                FileNotFoundException or DirectoryNotFoundException =>
                    $"'{existing ?? folder}' does not accept new files or folders (a read-only or virtual file system, such as /proc)",
                _ => $"'{existing ?? folder}' does not accept new files or folders: {ex.Message.TrimEnd('.')}",
            };
            ThrowTerminatingError(new ErrorRecord(new IOException($"Cannot create the sample environment folder '{folder}': {why}.", ex),
                "SampleFolderNotCreatable", ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, folder));
        }
    }
}
