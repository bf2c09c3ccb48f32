using System.Globalization;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;

namespace AsyncServer.Upload;

/// <summary>
/// Proves an upload package is the one its session describes and fits HQ, before anything is written: the file's size
/// and SHA-256 are the ones the store recorded; the manifest names this session, partition, job and store and the same
/// tables and counter ranges; every data file matches the manifest; every column is a column of the HQ table the
/// subjob maps; every row's counter is inside its table's range. Then the manifest's tables are pointed at HQ's tables.
/// </summary>
internal static class UploadPackageCheck
{
    public static async Task VerifyFileAsync(string path, UploadSessionRecord s, CancellationToken ct)
    {
        if (!File.Exists(path)) throw Failed(s, $"its package {PackageFiles.Printable(s.PackageFile)} is not in the upload folder");
        var size = new FileInfo(path).Length;
        var sha = await FileHash.Sha256Async(path, ct).ConfigureAwait(false);
        if (size != s.PackageSize || !string.Equals(sha, s.PackageSha256, StringComparison.OrdinalIgnoreCase))
            throw Failed(s, $"its package has {size} bytes and SHA-256 {sha}, but the store recorded {s.PackageSize} bytes and {s.PackageSha256}: " +
                "it changed after the store sent it");
    }

    public static void CheckManifest(PackageManifest m, UploadSessionRecord s, string partition)
    {
        var problems = new List<string>();
        if (!string.Equals(m.Direction, "Upload", StringComparison.Ordinal)) problems.Add($"its direction is '{m.Direction ?? "Download"}', not Upload");
        if (m.SessionId != s.Id) problems.Add($"its manifest names session {m.SessionId}");
        if (!Same(m.Partition, partition) || !Same(m.Partition, s.Partition)) problems.Add($"its partition is '{m.Partition}'");
        if (!Same(m.JobId, s.JobId)) problems.Add($"its job is '{m.JobId}', the session's '{s.JobId}'");
        if (m.ChannelDatabases.Count != 1 || !Same(m.ChannelDatabases[0], s.ChannelDatabase))
            problems.Add($"it is from '{string.Join(", ", m.ChannelDatabases)}', the session from '{s.ChannelDatabase}'");
        foreach (var t in m.Tables)
        {
            var range = s.Tables.FirstOrDefault(r => Same(r.Subjob, t.Subjob));
            if (range is null || range.FromCounter != t.FromCounter || range.ToCounter != t.ToCounter || range.RowCount != t.RowCount)
                problems.Add($"its table {t.Subjob} ({t.FromCounter}..{t.ToCounter}, {t.RowCount} rows) is not the session's");
        }
        if (s.Tables.Count(r => r.RowCount > 0) != m.Tables.Count) problems.Add("it carries other tables than the session recorded");
        if (problems.Count > 0) throw Failed(s, "its manifest does not match the session: " + string.Join("; ", problems), ErrorIds.PackageMismatch);
    }

    /// <summary>Points each table at its HQ table, with HQ's key; a table or column HQ lacks is ApplyFailed naming it.</summary>
    public static void Retarget(PackageManifest m, UploadSessionRecord s, IReadOnlyDictionary<string, ResolvedUploadSubjob> resolved,
        IReadOnlyDictionary<string, string> problems)
    {
        foreach (var t in m.Tables)
        {
            if (!resolved.TryGetValue(t.Subjob, out var r))
                throw Failed(s, problems.TryGetValue(t.Subjob, out var why) ? $"upload subjob {t.Subjob}: {why}"
                    : $"upload subjob '{t.Subjob}' is not defined in $.uploadSubjobs");
            var missing = t.Columns.Where(c => r.HqTable.Find(c.Name) is null).Select(c => c.Name).ToList();
            if (missing.Count > 0)
                throw Failed(s, $"schema mismatch: HQ table {r.HqTable.DisplayName} lacks column(s) {string.Join(", ", missing)} that the package carries");
            if (t.CounterColumn is null || t.Columns.All(c => !Same(c.Name, t.CounterColumn)))
                throw Failed(s, $"its table {t.Subjob} names no counter column among its columns", ErrorIds.PackageInvalid);
            t.ChannelTable = r.Settings.EffectiveHqTable;
            t.KeyColumns = r.Keys.Select(k => t.Columns.FirstOrDefault(c => Same(c.Name, k.Name))?.Name
                ?? throw Failed(s, $"the package's table {t.Subjob} lacks key column {k.Name} of HQ table {r.HqTable.DisplayName}")).ToList();
            foreach (var c in t.Columns) c.Key = t.KeyColumns.Contains(c.Name);
        }
    }

    /// <summary>Every row's counter inside (from, to]: a row outside its range is a forged or broken package.</summary>
    public static async Task CheckCountersAsync(PackageReader package, UploadSessionRecord s, CancellationToken ct)
    {
        foreach (var t in package.Manifest.Tables)
        {
            var index = t.Columns.FindIndex(c => Same(c.Name, t.CounterColumn));
            await foreach (var row in package.ReadRowsAsync(t, ct).ConfigureAwait(false))
            {
                var counter = row.Values[index] is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : (long?)null;
                if (!row.Upsert || counter is null || counter <= t.FromCounter || counter > t.ToCounter)
                    throw Failed(s, $"a row of {t.Subjob} has counter {counter?.ToString(CultureInfo.InvariantCulture) ?? "null"}, outside the " +
                        $"package's range {t.FromCounter}..{t.ToCounter}: the package was not written by the store's upload", ErrorIds.PackageInvalid);
            }
        }
    }

    public static AsyncServerException Failed(UploadSessionRecord s, string why, string id = ErrorIds.ApplyFailed)
        => new(id, ErrorKind.InvalidData, $"Upload session {s.Id} of channel database {s.ChannelDatabase} was not applied: {why}. " +
            "HQ was not changed.", s.Id);

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
