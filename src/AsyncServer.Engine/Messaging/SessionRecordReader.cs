using System.Data.Common;
using System.Globalization;

namespace AsyncServer.Messaging;

/// <summary>
/// Maps a download_sessions row to a record, the same way for every message store. Stores select
/// <see cref="Columns"/> (in this order) and say only how their timestamps are stored.
/// </summary>
internal static class SessionRecordReader
{
    public const string Columns =
        "s.id, s.partition, s.job_id, s.data_group, s.kind, s.delete_existing, s.full_sync_reason, s.from_version, s.to_version, s.part, " +
        "s.status, s.row_count, s.package_file, s.package_size, s.package_sha256, s.staged, s.requested_channel_databases, s.instance_id, " +
        "s.created_at, s.finished_at, s.message";

    /// <summary>How many columns <see cref="Columns"/> names: a statement's further columns start here.</summary>
    public const int ColumnCount = 21;

    /// <param name="timeAt">Reads a non-null timestamp column (text on SQLite, timestamptz or datetime2 elsewhere).</param>
    public static DownloadSessionRecord Read(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> timeAt) => new()
    {
        Id = r.GetInt64(0),
        Partition = r.GetString(1),
        JobId = r.GetString(2),
        DataGroup = r.GetString(3),
        Kind = Enum.Parse<SessionKind>(r.GetString(4)),
        // Booleans are INTEGER on SQLite, boolean/bit elsewhere.
        DeleteExisting = Convert.ToBoolean(r.GetValue(5), CultureInfo.InvariantCulture),
        FullSyncReason = r.IsDBNull(6) ? null : r.GetString(6),
        FromVersion = r.IsDBNull(7) ? null : r.GetInt64(7),
        ToVersion = r.GetInt64(8),
        Part = Convert.ToInt32(r.GetValue(9), CultureInfo.InvariantCulture),
        Status = Enum.Parse<SessionStatus>(r.GetString(10)),
        RowCount = r.GetInt64(11),
        PackageFile = r.IsDBNull(12) ? null : r.GetString(12),
        PackageSize = r.IsDBNull(13) ? null : r.GetInt64(13),
        PackageSha256 = r.IsDBNull(14) ? null : r.GetString(14),
        Staged = Convert.ToBoolean(r.GetValue(15), CultureInfo.InvariantCulture),
        RequestedChannelDatabases = r.GetString(16).Split(',', StringSplitOptions.RemoveEmptyEntries),
        InstanceId = r.GetString(17),
        CreatedAt = timeAt(r, 18),
        FinishedAt = r.IsDBNull(19) ? null : timeAt(r, 19),
        Message = r.IsDBNull(20) ? null : r.GetString(20),
    };
}
