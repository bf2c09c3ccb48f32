using System.Data.Common;

namespace AsyncServer.Tests.Support;

/// <summary>
/// Random changes of INVENTTABLE, the parent of the sample's ECORESPRODUCT filter, that move products into and out
/// of a legal entity's assortment: an item re-assigned to the other legal entity (its key changes), an item deleted,
/// a deleted item inserted again (or a product released to the other legal entity), an item pointed at another
/// product. The same SQL runs on the SQLite sample HQ and its PostgreSQL copy; rows are picked in key order.
/// </summary>
internal static class ParentChanges
{
    private const string Columns = "\"ITEMID\", \"DATAAREAID\", \"PRODUCT\", \"NAMEALIAS\", \"ITEMTYPE\", \"NETWEIGHT\", \"CREATEDDATETIME\", \"RECID\", \"PARTITION\"";
    private const string Other = "CASE \"DATAAREAID\" WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END";

    public static async Task<string> ApplyAsync(DbConnection hq, Random rng, int count, List<object?[]> deleted)
    {
        var done = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var items = Convert.ToInt64(await ScalarAsync(hq, "SELECT COUNT(*) FROM \"INVENTTABLE\""));
            if (items == 0) break;
            var row = await PickAsync(hq, rng.NextInt64(items));
            var (item, area) = ((string)row[0]!, (string)row[1]!);
            const string key = "\"ITEMID\" = @i AND \"DATAAREAID\" = @d";
            switch (rng.Next(4))
            {
                case 0:
                    var moved = await ExecAsync(hq, $"UPDATE \"INVENTTABLE\" SET \"DATAAREAID\" = {Other} WHERE {key} " +
                        $"AND NOT EXISTS (SELECT 1 FROM \"INVENTTABLE\" o WHERE o.\"ITEMID\" = @i AND o.\"DATAAREAID\" <> @d)", ("@i", item), ("@d", area));
                    done.Add(moved > 0 ? $"moved {item} from {area}" : $"kept {item} in {area} (taken)");
                    break;
                case 1:
                    await ExecAsync(hq, $"DELETE FROM \"INVENTTABLE\" WHERE {key}", ("@i", item), ("@d", area));
                    deleted.Add(row);
                    done.Add($"deleted {item}/{area}");
                    break;
                case 2 when deleted.Count > 0:
                    var back = deleted[rng.Next(deleted.Count)];
                    deleted.Remove(back);
                    // VALUES, not SELECT: PostgreSQL types a NULL parameter by its column only there.
                    var taken = Convert.ToInt64(await ScalarAsync(hq, "SELECT COUNT(*) FROM \"INVENTTABLE\" WHERE \"ITEMID\" = @i AND \"DATAAREAID\" = @d",
                        ("@i", back[0]), ("@d", back[1]))) > 0;
                    var inserted = taken ? 0 : await ExecAsync(hq, $"INSERT INTO \"INVENTTABLE\" ({Columns}) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)",
                        back.Select((v, n) => ($"@p{n}", v)).ToArray());
                    done.Add($"re-inserted {back[0]}/{back[1]}{(inserted == 0 ? " (taken)" : "")}");
                    break;
                case 2:
                    var released = await ExecAsync(hq, $"INSERT INTO \"INVENTTABLE\" ({Columns}) SELECT \"ITEMID\", {Other}, \"PRODUCT\", \"NAMEALIAS\", \"ITEMTYPE\", " +
                        $"\"NETWEIGHT\", \"CREATEDDATETIME\", \"RECID\" + 1, \"PARTITION\" FROM \"INVENTTABLE\" p WHERE {key} " +
                        "AND NOT EXISTS (SELECT 1 FROM \"INVENTTABLE\" o WHERE o.\"ITEMID\" = @i AND o.\"DATAAREAID\" <> @d)", ("@i", item), ("@d", area));
                    done.Add(released > 0 ? $"released {item} to the other legal entity" : $"{item} already in both");
                    break;
                default:
                    var products = Convert.ToInt64(await ScalarAsync(hq, "SELECT COUNT(*) FROM \"ECORESPRODUCT\""));
                    await ExecAsync(hq, $"UPDATE \"INVENTTABLE\" SET \"PRODUCT\" = (SELECT \"RECID\" FROM \"ECORESPRODUCT\" ORDER BY \"RECID\" LIMIT 1 OFFSET @o) WHERE {key}",
                        ("@i", item), ("@d", area), ("@o", rng.NextInt64(products)));
                    done.Add($"pointed {item}/{area} at another product");
                    break;
            }
        }
        return string.Join(", ", done);
    }

    private static async Task<object?[]> PickAsync(DbConnection hq, long offset)
    {
        await using var cmd = Command(hq, $"SELECT {Columns} FROM \"INVENTTABLE\" ORDER BY \"ITEMID\", \"DATAAREAID\" LIMIT 1 OFFSET @o", ("@o", offset));
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return values;
    }

    private static DbCommand Command(DbConnection hq, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = hq.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private static async Task<object?> ScalarAsync(DbConnection hq, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(hq, sql, parameters);
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task<int> ExecAsync(DbConnection hq, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(hq, sql, parameters);
        return await cmd.ExecuteNonQueryAsync();
    }
}
