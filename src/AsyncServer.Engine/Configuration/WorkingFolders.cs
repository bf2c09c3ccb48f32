using AsyncServer.Diagnostics;
using AsyncServer.Packaging;

namespace AsyncServer.Configuration;

/// <summary>
/// The working folders: the checks Test-AsyncConfiguration reports and Start-AsyncDistribution runs before any work
/// (issue 12, point 14), and how folders and package files are created (point 5).
/// <para>
/// A working folder is created only when its parent exists, unless <c>$.workingFolders.createFolders</c> is true: a
/// mistyped or unmounted share path must fail, not quietly collect packages on a local disk (at the filesystem
/// root when run as root).
/// </para>
/// Folders and files are created owner-only (<see cref="PrivateFiles"/>).
/// </summary>
public static class WorkingFolders
{
    /// <summary>The folders a command uses, with their JSON paths.</summary>
    public static IEnumerable<(string Folder, string Path)> Of(AsyncServerConfiguration config, bool staging)
    {
        yield return (config.DownloadFolder, "$.workingFolders.download");
        yield return (config.UploadFolder, "$.workingFolders.upload");
        if (staging) yield return (config.StagingFolder, "$.workingFolders.staging");
    }

    /// <summary>Every problem of the working folders, each with its JSON path. Checking creates nothing.</summary>
    public static IReadOnlyList<ConfigurationProblem> Check(AsyncServerConfiguration config, bool staging = false)
    {
        var problems = new List<ConfigurationProblem>();
        foreach (var (folder, path) in Of(config, staging))
            if (Problem(config, folder, path, staging) is { } problem) problems.Add(new(path, problem));
        return problems;
    }

    /// <summary>
    /// For Start-AsyncDistribution, before any work: the same checks as Test-AsyncConfiguration, then the folder the
    /// packages go to is created (owner only).
    /// </summary>
    public static void Prepare(AsyncServerConfiguration config, bool staging)
    {
        var problems = Check(config, staging);
        if (problems.Count > 0)
            throw new AsyncServerException(ErrorIds.WorkingFolderUnavailable, ErrorKind.ResourceUnavailable,
                "The working folders cannot be used; nothing was distributed:" + Environment.NewLine
                + string.Join(Environment.NewLine, problems.Select(p => "  " + p)), problems[0].Path);
        if (staging)
            PrivateFiles.CreateFolder(config.DownloadFolder == Path.GetDirectoryName(config.StagingFolder) ? config.DownloadFolder : config.StagingFolder);
        PrivateFiles.CreateFolder(staging ? config.StagingFolder : config.DownloadFolder);
    }

    private static string? Problem(AsyncServerConfiguration config, string folder, string path, bool staging)
    {
        try
        {
            var existing = folder;
            var missing = 0;
            while (!Directory.Exists(existing))
            {
                if (File.Exists(existing)) return $"working folder '{folder}' is not writable: '{existing}' is a file";
                existing = Path.GetDirectoryName(existing) ?? throw new DirectoryNotFoundException($"no part of '{folder}' exists");
                missing++;
            }
            // The default staging folder lies in the download folder, which is created first.
            var allowed = staging && path == "$.workingFolders.staging" && config.WorkingFolders?.Staging is null && !Directory.Exists(config.DownloadFolder)
                ? 2 : 1;
            if (missing > allowed && config.WorkingFolders?.CreateFolders != true)
                return $"working folder '{folder}' does not exist, nor does its parent ('{existing}' is the nearest folder that does); " +
                       "check the path (a mistyped or unmounted share?), create the folder, or set $.workingFolders.createFolders to true";
            var probe = Path.Combine(existing, $".asyncserver-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"working folder '{folder}' is not writable: {ex.Message}";
        }
    }
}
