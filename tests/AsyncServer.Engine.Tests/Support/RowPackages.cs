using System.Data;
using AsyncServer.Data;
using AsyncServer.Packaging;

namespace AsyncServer.Tests.Support;

/// <summary>Writes real packages (through PackageWriter) from rows given in a test.</summary>
public static class RowPackages
{
    public sealed record Column(string Name, LogicalType Type, bool Key = false);

    /// <param name="rows">Upsert flag and one value per column (deletes need only the key values).</param>
    public static async Task<string> WriteAsync(string folder, long sessionId, string channelTable, IReadOnlyList<Column> columns,
        IEnumerable<(bool Upsert, object?[] Values)> rows, IReadOnlyList<string>? deleteExistingTables = null, string kind = "Incremental")
    {
        var manifest = new PackageManifest
        {
            SessionId = sessionId, Partition = "ps1", JobId = "T", DataGroup = "G", Kind = kind, ToVersion = sessionId,
            DeleteExisting = deleteExistingTables is { Count: > 0 }, DeleteExistingTables = deleteExistingTables?.ToList() ?? [],
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var path = Path.Combine(folder, $"package-{sessionId}-{Guid.NewGuid():N}.zip");
        await using var writer = PackageWriter.Create(manifest, path);
        writer.BeginTable(new PackageTable
        {
            Subjob = channelTable, HqTable = channelTable, ChannelTable = channelTable,
            Columns = columns.Select(c => new PackageColumn { Name = c.Name, Source = c.Name, Type = c.Type, Key = c.Key, Nullable = !c.Key }).ToList(),
            KeyColumns = columns.Where(c => c.Key).Select(c => c.Name).ToList(),
        });
        var table = new DataTable();
        table.Columns.Add("__upsert", typeof(long));
        foreach (var c in columns) table.Columns.Add(c.Name, typeof(object));
        foreach (var (upsert, values) in rows)
            table.Rows.Add([upsert ? 1L : 0L, .. values.Select(v => v ?? DBNull.Value)]);
        using (var reader = table.CreateDataReader())
            while (reader.Read()) writer.WriteRow(reader);
        await writer.CompleteAsync(default);
        return path;
    }
}
