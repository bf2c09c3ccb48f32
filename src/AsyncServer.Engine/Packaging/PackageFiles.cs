using System.IO.Enumeration;
using System.Text.RegularExpressions;

namespace AsyncServer.Packaging;

/// <summary>
/// Package file names and where they may live. A session row's <c>package_file</c> comes from the message
/// database, which many instances and operators write: it is trusted only as a bare file name of the naming
/// pattern, and only inside the folder it belongs to (issue 12 point 1). Deletions never throw: a file that
/// cannot be deleted is left for the retention purge.
/// </summary>
public static partial class PackageFiles
{
    /// <summary><c>PARTITION_JOB_GROUP_SESSION.zip</c>, with characters unsafe in file names replaced.</summary>
    public static string Name(string partition, string job, string group, long sessionId)
        => $"{PackageWriter.SafeName(partition)}_{PackageWriter.SafeName(job)}_{PackageWriter.SafeName(group)}_{sessionId:D8}.zip";

    // SafeName leaves no dot, slash, backslash or colon in a part; the session id has at least eight digits.
    [GeneratedRegex(@"^[^./\\:\x00-\x1F]+_[0-9]{8,}\.zip\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>True when <paramref name="name"/> is a bare file name of the package naming pattern.</summary>
    public static bool IsPackageName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>
    /// The full path of package <paramref name="name"/> in <paramref name="folder"/>, or null when the name is
    /// not a bare package file name or would resolve outside the folder (absolute, <c>..</c>, separators).
    /// </summary>
    public static string? TryPathIn(string folder, string? name)
    {
        if (!IsPackageName(name)) return null;
        var root = Path.GetFullPath(folder);
        var path = Path.GetFullPath(Path.Combine(root, name!));
        var inside = string.Equals(Path.GetDirectoryName(path), Path.TrimEndingDirectorySeparator(root), StringComparison.Ordinal);
        return inside ? path : null;
    }

    /// <summary>
    /// Where package <paramref name="name"/> is received over HTTPS before it is whole (<c>.NAME.partial</c> in
    /// <paramref name="folder"/>), or null under the same conditions as <see cref="TryPathIn"/>.
    /// </summary>
    public static string? PartialPathIn(string folder, string? name)
        => TryPathIn(folder, name) is { } final ? Path.Combine(Path.GetDirectoryName(final)!, "." + Path.GetFileName(final) + ".partial") : null;

    /// <summary>A file name from an untrusted row, fit for a message: control characters replaced, at most 120 characters.</summary>
    public static string Printable(string? name)
    {
        var text = new string((name ?? "").Take(120).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return name is { Length: > 120 } ? text + "..." : text;
    }

    /// <summary>A unique hidden temporary name beside <paramref name="finalPath"/> (<c>.NAME.RANDOM.tmp</c>), never guessed in advance.</summary>
    public static string NewTempPath(string finalPath)
        => Path.Combine(Path.GetDirectoryName(finalPath)!, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");

    /// <summary>Deletes a file if it is there; false (and no exception) when it could not be deleted.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path); // a symbolic link is removed itself, never what it points to
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Files under <paramref name="folder"/> whose names match <paramref name="pattern"/>, in every
    /// subfolder that is a real directory: symbolic links and junctions are neither followed nor returned,
    /// so nothing outside the folder is ever reached (issue 12 point 4).
    /// </summary>
    public static IEnumerable<FileInfo> FilesWithin(string folder, string pattern)
    {
        var pending = new Stack<DirectoryInfo>();
        var top = new DirectoryInfo(folder);
        if (!top.Exists) yield break;
        pending.Push(top);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try { entries = dir.EnumerateFileSystemInfos().ToList(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
            foreach (var entry in entries)
            {
                if (entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint)) continue;
                if (entry is DirectoryInfo sub) pending.Push(sub);
                else if (entry is FileInfo file && FileSystemName.MatchesSimpleExpression(pattern, file.Name)) yield return file;
            }
        }
    }
}
