namespace AsyncServer.Packaging;

/// <summary>What a package must say about itself to be applied at one channel database: its session row and the channel's configuration.</summary>
public sealed record ExpectedPackage(
    long SessionId, string Partition, string JobId, string DataGroup, long? FromVersion, long ToVersion, int Part, string Kind, bool DeleteExisting,
    IReadOnlyList<string> SessionChannelDatabases, string ConfiguredPartition, string ChannelDatabase, string ChannelDataGroup);

/// <summary>
/// Proves a package's manifest belongs to the session that names it and to the channel database about to
/// apply it: a package copied under another session's name, or meant for another partition, data group or
/// channel database, is refused before anything is written.
/// </summary>
public static class PackageManifestCheck
{
    /// <summary>Every disagreement, in words; empty when the manifest is the expected one.</summary>
    public static IReadOnlyList<string> Problems(PackageManifest m, ExpectedPackage e)
    {
        var problems = new List<string>();
        var db = e.ChannelDatabase;
        if (m.SessionId != e.SessionId) problems.Add($"its manifest names session {m.SessionId}, not {e.SessionId}");
        if (!Same(m.Partition, e.Partition) || !Same(m.Partition, e.ConfiguredPartition))
            problems.Add($"its partition is '{m.Partition}', the session's '{e.Partition}', this configuration's '{e.ConfiguredPartition}'");
        if (!Same(m.JobId, e.JobId)) problems.Add($"its job is {m.JobId}, the session's {e.JobId}");
        if (!Same(m.DataGroup, e.DataGroup)) problems.Add($"its data group is {m.DataGroup}, the session's {e.DataGroup}");
        if (!Same(e.DataGroup, e.ChannelDataGroup))
            problems.Add($"it is for data group {e.DataGroup}, but channel database {db} belongs to data group {e.ChannelDataGroup}");
        if (m.FromVersion != e.FromVersion || m.ToVersion != e.ToVersion)
            problems.Add($"its versions {m.FromVersion}..{m.ToVersion} differ from the session's {e.FromVersion}..{e.ToVersion}");
        if (m.Part != e.Part || !Same(m.Kind, e.Kind) || m.DeleteExisting != e.DeleteExisting)
            problems.Add($"its part, kind or delete-existing flag ({m.Part}, {m.Kind}, {m.DeleteExisting}) " +
                $"differ from the session's ({e.Part}, {e.Kind}, {e.DeleteExisting})");
        if (m.ChannelDatabases.Count > 0 && !m.ChannelDatabases.Contains(db, StringComparer.OrdinalIgnoreCase))
            problems.Add($"it is for channel database(s) {string.Join(", ", m.ChannelDatabases)}, not {db}");
        if (e.SessionChannelDatabases.Count > 0 && !e.SessionChannelDatabases.Contains(db, StringComparer.OrdinalIgnoreCase))
            problems.Add($"its session is for channel database(s) {string.Join(", ", e.SessionChannelDatabases)}, not {db}");
        return problems;
    }

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
