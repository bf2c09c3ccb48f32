using AsyncServer.Diagnostics;

namespace AsyncServer.Configuration;

/// <summary>
/// The working folders: the checks Test-AsyncConfiguration reports and Start-AsyncDistribution runs before any work
/// (issue 12, point 14), and how folders and package files are created (point 5).
/// <para>
/// A working folder is created only when its parent exists, unless <c>$.workingFolders.createFolders</c> is true: a
/// mistyped or unmounted share path must fail, not quietly collect packages on a local disk (at the filesystem
/// root when run as root).
/// </para>
/// <para>
/// Packages hold customer data. On Unix, folders are created 0700 and package files 0600 (owner only). To let a
/// group read them, the operator makes the working folder the group's and sets its set-group-ID bit
/// (<c>chgrp readers download; chmod 2750 download</c>): in such a folder, new folders get 0750 (the bit is
/// inherited) and new files 0640. Write access is never granted to the group, nor anything to others. On Windows
/// the folder's ACL decides (docs/security.md).
/// </para>
/// </summary>
public static class WorkingFolders
{
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
        if (staging) CreateFolder(config.DownloadFolder == Path.GetDirectoryName(config.StagingFolder) ? config.DownloadFolder : config.StagingFolder);
        CreateFolder(staging ? config.StagingFolder : config.DownloadFolder);
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
            var allowed = staging && path == "$.workingFolders.staging" && config.WorkingFolders?.Staging is null && !Directory.Exists(config.DownloadFolder) ? 2 : 1;
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

    /// <summary>Creates a folder (and missing parents) readable by the owner only, or by its group in a set-group-ID folder.</summary>
    public static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder)) return;
        if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(folder); return; }
        var mode = OwnerFolder;
        if (SharedWithGroup(NearestExisting(folder))) mode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        Directory.CreateDirectory(folder, mode);
    }

    /// <summary>Options for a new file in <paramref name="folder"/>: owner only (0600), or 0640 in a set-group-ID folder.</summary>
    /// <param name="exclusive">CreateNew (fail when the name exists) rather than Create.</param>
    public static FileStreamOptions NewFileOptions(string folder, int bufferSize = 1 << 16, bool useAsync = false, bool exclusive = true)
    {
        var options = new FileStreamOptions
        {
            Mode = exclusive ? FileMode.CreateNew : FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = bufferSize,
            Options = useAsync ? FileOptions.Asynchronous : FileOptions.None,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = SharedWithGroup(folder) ? OwnerFile | UnixFileMode.GroupRead : OwnerFile;
        return options;
    }

    private static bool SharedWithGroup(string folder)
        => !OperatingSystem.IsWindows() && Directory.Exists(folder) && File.GetUnixFileMode(folder).HasFlag(UnixFileMode.SetGroup);

    private static string NearestExisting(string folder)
    {
        var existing = Path.GetFullPath(folder);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        return existing;
    }
}
