using System.Diagnostics;
using System.Globalization;
using AsyncServer.Packaging;

namespace AsyncServer.Upload;

/// <summary>
/// The private folder a send writes its package in before delivering it. It stays in the system's temporary folder, not in a
/// working folder: a store that sends over the endpoint (Send-AsyncPackage -Server, the service in client mode) has no working
/// folder of its own (its configuration is what the endpoint said). A send deletes its folder on the way out, but a killed one
/// cannot, so the folder's name carries a marker: the store, the owning process's id and its start time
/// (<c>asyncserver-upload-STORE.PID.STARTTICKS.RANDOM</c>). The next send of the same store, holding the store's upload lease,
/// deletes that store's folders whose process is gone, or whose id now belongs to a process started at another time (a reused
/// id). A live process's folder is never touched: it is a run still going (one that lost its lease deletes its own when it stops).
/// </summary>
internal static class UploadTempFolders
{
    private const string Prefix = "asyncserver-upload-";

    /// <summary>A process's start time as the marker holds it: equal to within a second for the same process (it is derived).</summary>
    private static readonly TimeSpan SameStart = TimeSpan.FromSeconds(1);

    private static readonly long OwnStart = StartTicks(Process.GetCurrentProcess()) ?? 0;

    /// <summary>A new private folder for one send of <paramref name="channelDatabase"/>, in <paramref name="root"/> (default: the system's temp).</summary>
    public static string Create(string channelDatabase, string? root = null)
    {
        var folder = Path.Combine(root ?? Path.GetTempPath(),
            $"{Prefix}{PackageWriter.SafeName(channelDatabase)}.{Environment.ProcessId}.{OwnStart}.{Guid.NewGuid():N}");
        PrivateFiles.CreateFolder(folder);
        return folder;
    }

    /// <summary>Deletes the folders of <paramref name="channelDatabase"/>'s sends whose process is gone; returns how many.</summary>
    public static int RemoveStale(string channelDatabase, string? root = null)
    {
        var top = new DirectoryInfo(root ?? Path.GetTempPath());
        var mine = $"{Prefix}{PackageWriter.SafeName(channelDatabase)}.";
        var removed = 0;
        IEnumerable<DirectoryInfo> candidates;
        try { candidates = top.EnumerateDirectories(mine + "*").ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var dir in candidates)
        {
            // A link is never followed nor removed (the temp folder is shared); only a name of exactly our shape is judged.
            if (dir.LinkTarget is not null || dir.Attributes.HasFlag(FileAttributes.ReparsePoint)) continue;
            var parts = dir.Name[mine.Length..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start) || IsAlive(pid, start))
                continue;
            try
            {
                dir.Delete(recursive: true);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* another user's, or in use: left alone */ }
        }
        return removed;
    }

    /// <summary>True when process <paramref name="pid"/> runs and started at <paramref name="startTicks"/> (or its start cannot be read).</summary>
    private static bool IsAlive(int pid, long startTicks)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return StartTicks(process) is not { } actual || Math.Abs(actual - startTicks) < SameStart.Ticks;
        }
        catch (ArgumentException) { return false; } // no such process
        catch (InvalidOperationException) { return false; } // it exited meanwhile
    }

    private static long? StartTicks(Process process)
    {
        try { return process.StartTime.ToUniversalTime().Ticks; }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { return null; }
    }
}
