namespace AsyncServer.Bench.Data;

/// <summary>
/// The parent of the incremental-parent scenarios: one item per product (BENCHITEM, as INVENTTABLE is to
/// ECORESPRODUCT), keyed by (ITEMID, DATAAREAID), indexed by (PRODUCT, DATAAREAID) as the sample indexes INVENTTABLE. Three items in four are released to the measured legal entity (usrt), the rest to usmf. The product
/// table (<see cref="ProductRows"/>) is filtered through it: <see cref="Filter"/>.
/// </summary>
internal static class ParentRows
{
    public const string Table = "BENCHITEM";
    public const string OtherDataArea = "usmf";
    public const string Filter = $"EXISTS {Table} (PRODUCT = RECID AND DATAAREAID = @DataAreaId)";

    public sealed record Column(string Name, string SqliteType, string PostgresType);

    public static readonly Column[] Columns =
    [
        new("ITEMID", "NVARCHAR(20) NOT NULL", "varchar(20) NOT NULL"),
        new("DATAAREAID", "NVARCHAR(4) NOT NULL", "varchar(4) NOT NULL"),
        new("PRODUCT", "BIGINT NOT NULL", "bigint NOT NULL"),
        new("ITEMTYPE", "INT NOT NULL", "integer NOT NULL"),
        new("NAMEALIAS", "NVARCHAR(20)", "varchar(20)"),
    ];

    public static string ColumnList => string.Join(", ", Columns.Select(c => c.Name));

    public static string Ddl(Func<Column, string> type)
        => $"CREATE TABLE {Table} ({string.Join(", ", Columns.Select(c => $"{c.Name} {type(c)}"))}, PRIMARY KEY (ITEMID, DATAAREAID)); " +
           $"CREATE INDEX {Table}_PRODUCT ON {Table} (PRODUCT, DATAAREAID);";

    public static object?[] Row(long n) =>
        [$"I{n:D9}", n % 4 == 0 ? OtherDataArea : ProductRows.DataArea, ProductRows.FirstRecId + n, (int)(n % 2), $"alias {n % 1000}"];

    /// <summary>The before-images the filter needs (what Enable-AsyncChangeTracking derives from the configuration).</summary>
    public static AsyncServer.ChangeTracking.ChangeTrackingOptions TrackingOptions => AsyncServer.ChangeTracking.ChangeTrackingOptions.Default with
    {
        BeforeImages = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { [Table] = ["PRODUCT"] },
    };
}

/// <summary>
/// The changes of an incremental-parent run: half on the product table (<see cref="ChangePlan"/>: updates, inserts,
/// deletes), half on the parent, each on a different item: 40 % moved to the other legal entity (the key changes:
/// the product leaves one data group and enters the other), 30 % deleted (the product leaves), 30 % updated without
/// touching the filter (the product stays; it is read and sent again).
/// </summary>
internal sealed record ParentChangePlan(ChangePlan Products, IReadOnlyList<long> Moves, IReadOnlyList<long> Deletes, IReadOnlyList<long> Updates)
{
    public int Count => Products.Count + Moves.Count + Deletes.Count + Updates.Count;

    public static ParentChangePlan For(long rows, int changes)
    {
        var parentChanges = changes / 2;
        var rng = new Random(unchecked((int)(rows * 17 + changes)));
        var touched = new HashSet<long>();
        long Pick()
        {
            while (true)
            {
                var n = rng.NextInt64(1, rows + 1);
                if (touched.Add(n)) return n;
            }
        }
        var moves = Enumerable.Range(0, parentChanges * 4 / 10).Select(_ => Pick()).ToList();
        var deletes = Enumerable.Range(0, parentChanges * 3 / 10).Select(_ => Pick()).ToList();
        var updates = Enumerable.Range(0, parentChanges - moves.Count - deletes.Count).Select(_ => Pick()).ToList();
        return new ParentChangePlan(ChangePlan.For(rows, changes - parentChanges), moves, deletes, updates);
    }

    public const string MoveSql = $"UPDATE {ParentRows.Table} SET DATAAREAID = CASE DATAAREAID WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END WHERE ITEMID = @item";
    public const string DeleteSql = $"DELETE FROM {ParentRows.Table} WHERE ITEMID = @item";
    public const string UpdateSql = $"UPDATE {ParentRows.Table} SET ITEMTYPE = 1 - ITEMTYPE, NAMEALIAS = 'changed' WHERE ITEMID = @item";
    public static string Item(long n) => $"I{n:D9}";
}
