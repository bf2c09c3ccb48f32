using System.Data;
using AsyncServer.Data;
using AsyncServer.Packaging;

namespace AsyncServer.Tests.Support;

/// <summary>One row for a test package: an upsert with every column, or a delete with the key values.</summary>
public sealed record TestRow(bool Upsert, params object?[] Values)
{
    public static TestRow U(params object?[] values) => new(true, values);
    public static TestRow D(params object?[] key) => new(false, key);
}

/// <summary>Writes real packages through PackageWriter from rows given in code.</summary>
public static class TestPackages
{
    /// <summary>The contract's ITEMS table: ID key, DATAAREAID, NAME, AMOUNT, CHANGED, G, DATA.</summary>
    public static PackageTable Items(string channelTable = "ITEMS") => new()
    {
        Subjob = "ITEMS", HqTable = "ITEMS", ChannelTable = channelTable, KeyColumns = ["ID"],
        Columns =
        [
            new PackageColumn { Name = "ID", Source = "ID", Type = LogicalType.Int64, Nullable = false, Key = true },
            new PackageColumn { Name = "DATAAREAID", Source = "DATAAREAID", Type = LogicalType.String, Nullable = false },
            new PackageColumn { Name = "NAME", Source = "NAME", Type = LogicalType.String },
            new PackageColumn { Name = "AMOUNT", Source = "AMOUNT", Type = LogicalType.Decimal },
            new PackageColumn { Name = "CHANGED", Source = "CHANGED", Type = LogicalType.DateTime },
            new PackageColumn { Name = "G", Source = "G", Type = LogicalType.Guid },
            new PackageColumn { Name = "DATA", Source = "DATA", Type = LogicalType.Binary },
        ],
    };

    public static object?[] Item(long id, string? name, decimal? amount = null, string dataAreaId = "usrt")
        => [id, dataAreaId, name, amount, new DateTime(2025, 3, 4, 5, 6, 7).AddTicks(1234567), Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), new byte[] { 1, 2, 3 }];

    public static PackageManifest Manifest(long sessionId, string job = "J1", string group = "G1", long? from = 1, long to = 2) => new()
    {
        SessionId = sessionId, Partition = "ps1", JobId = job, DataGroup = group, Kind = from is null ? "Full" : "Incremental",
        FromVersion = from, ToVersion = to, Part = 1, InstanceId = "test:1", CreatedAt = DateTimeOffset.UtcNow,
    };

    public static async Task<PackageFileInfo> WriteAsync(string path, PackageManifest manifest, params (PackageTable Table, TestRow[] Rows)[] tables)
    {
        await using var writer = PackageWriter.Create(manifest, path);
        foreach (var (table, rows) in tables)
        {
            var data = new DataTable();
            data.Columns.Add("__op", typeof(long));
            foreach (var c in table.Columns) data.Columns.Add(c.Name, ClrType(c.Type));
            foreach (var row in rows)
            {
                var values = new object?[table.Columns.Count + 1];
                values[0] = row.Upsert ? 1L : 0L;
                if (row.Upsert) for (var i = 0; i < row.Values.Length; i++) values[i + 1] = row.Values[i] ?? DBNull.Value;
                else
                {
                    for (var i = 1; i < values.Length; i++) values[i] = DBNull.Value;
                    for (var k = 0; k < table.KeyColumns.Count; k++) values[table.Columns.FindIndex(c => c.Name == table.KeyColumns[k]) + 1] = row.Values[k];
                }
                data.Rows.Add(values);
            }
            writer.BeginTable(table);
            using var reader = data.CreateDataReader();
            while (reader.Read()) writer.WriteRow(reader);
            writer.EndTable();
        }
        return await writer.CompleteAsync(default);
    }

    private static Type ClrType(LogicalType type) => type switch
    {
        LogicalType.String => typeof(string),
        LogicalType.Int16 => typeof(short),
        LogicalType.Int32 => typeof(int),
        LogicalType.Int64 => typeof(long),
        LogicalType.Decimal => typeof(decimal),
        LogicalType.Double => typeof(double),
        LogicalType.Boolean => typeof(bool),
        LogicalType.DateTime or LogicalType.Date => typeof(DateTime),
        LogicalType.DateTimeOffset => typeof(DateTimeOffset),
        LogicalType.Time => typeof(TimeSpan),
        LogicalType.Guid => typeof(Guid),
        _ => typeof(byte[]),
    };
}
