namespace AsyncServer.Packaging;

/// <summary>
/// How folders and package files are created (issue 12, point 5). Packages hold customer data: on Unix, folders
/// are created 0700 and package files 0600 (owner only). To let a group read them, the operator makes the working
/// folder the group's and sets its set-group-ID bit (<c>chgrp readers download; chmod 2750 download</c>): in such
/// a folder, new folders get 0750 (the bit is inherited) and new files 0640. Write access is never granted to the
/// group, nor anything to others. On Windows the folder's ACL decides (docs/security.md).
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
