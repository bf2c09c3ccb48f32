using System.Globalization;

namespace AsyncServer.Bench.Data;

/// <summary>
/// The benchmark table: AX-like product rows with 16 columns of mixed types (RECID and DATAAREAID keys,
/// text, decimals, timestamps, a GUID, nulls). Every value is a pure function of the row number, so the
/// generator needs no state and the change generator can produce the same rows again.
/// </summary>
internal static class ProductRows
{
    public const string Table = "BENCHPRODUCT";
    public const string DataArea = "usrt";
    public const long FirstRecId = 5_637_000_000L;

    public sealed record Column(string Name, string SqliteType, string PostgresType);

    public static readonly Column[] Columns =
    [
        new("RECID", "BIGINT NOT NULL PRIMARY KEY", "bigint NOT NULL PRIMARY KEY"),
        new("DATAAREAID", "NVARCHAR(4) NOT NULL", "varchar(4) NOT NULL"),
        new("PARTITION", "BIGINT NOT NULL", "bigint NOT NULL"),
        new("ITEMID", "NVARCHAR(20) NOT NULL", "varchar(20) NOT NULL"),
        new("NAME", "NVARCHAR(60) NOT NULL", "varchar(60) NOT NULL"),
        new("DESCRIPTION", "NVARCHAR(200)", "varchar(200)"),
        new("PRODUCTTYPE", "INT NOT NULL", "integer NOT NULL"),
        new("ITEMGROUPID", "NVARCHAR(10) NOT NULL", "varchar(10) NOT NULL"),
        new("UNITID", "NVARCHAR(10) NOT NULL", "varchar(10) NOT NULL"),
        new("PRICE", "DECIMAL(32,16) NOT NULL", "numeric(32,16) NOT NULL"),
        new("COSTPRICE", "DECIMAL(32,16) NOT NULL", "numeric(32,16) NOT NULL"),
        new("NETWEIGHT", "DECIMAL(32,16)", "numeric(32,16)"),
        new("BLOCKED", "INT NOT NULL", "integer NOT NULL"),
        new("CREATEDDATETIME", "DATETIME NOT NULL", "timestamp NOT NULL"),
        new("MODIFIEDDATETIME", "DATETIME NOT NULL", "timestamp NOT NULL"),
        new("INSTANCEGUID", "UNIQUEIDENTIFIER NOT NULL", "uuid NOT NULL"),
    ];

    public static string ColumnList => string.Join(", ", Columns.Select(c => c.Name));

    private static readonly string[] Words = ["Contoso", "Fabrikam", "Adventure", "Größe", "Café", "Pijama", "Äpfel", "Ski", "Boot", "Jacket", "Lamp", "Mug", "Chair", "Desk", "Kettle", "Towel"];
    private static readonly string[] Groups = ["Audio", "Bikes", "Clothing", "Food", "Home", "Sports", "Toys", "Tools"];
    private static readonly string[] Units = ["ea", "pcs", "kg", "box", "m"];
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>SplitMix64: a cheap, well-mixed hash of the row number and a salt.</summary>
    private static ulong Mix(long n, ulong salt)
    {
        var z = (ulong)n * 0x9E3779B97F4A7C15UL + salt;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The values of row <paramref name="n"/> (1-based), revision <paramref name="revision"/> (0 = as loaded; changes bump it).</summary>
    public static object?[] Row(long n, int revision = 0)
    {
        var h = Mix(n, (ulong)revision * 7919);
        var w1 = Words[(int)(h % (ulong)Words.Length)];
        var w2 = Words[(int)((h >> 8) % (ulong)Words.Length)];
        var price = Math.Round((decimal)((h >> 16) % 5_000_000) / 10_000m + 0.99m, 4);
        return
        [
            FirstRecId + n,
            DataArea,
            5_637_144_576L,
            $"I{n:D9}",
            $"{w1} {w2} {n % 1000}" + (revision == 0 ? "" : $" r{revision}"),
            (h & 3) == 0 ? null : $"{w2} {w1} for every season, item {n}, size {(h >> 24) % 60}",
            (int)((h >> 32) % 3),
            Groups[(int)((h >> 36) % (ulong)Groups.Length)],
            Units[(int)((h >> 40) % (ulong)Units.Length)],
            price,
            Math.Round(price * 0.6m, 4),
            (h & 12) == 0 ? null : Math.Round((decimal)((h >> 44) % 1_000_000) / 1000m, 3),
            (int)((h >> 50) & 1),
            Epoch.AddSeconds(n % 100_000_000),
            Epoch.AddSeconds(n % 100_000_000 + revision * 3600L + 1),
            new Guid(BitConverter.GetBytes(h).Concat(BitConverter.GetBytes(Mix(n, 17))).ToArray()),
        ];
    }

    /// <summary>The Npgsql type of each column, for binary COPY (resolving types per value would dominate the floor).</summary>
    public static readonly NpgsqlTypes.NpgsqlDbType[] PostgresTypes =
    [
        NpgsqlTypes.NpgsqlDbType.Bigint, NpgsqlTypes.NpgsqlDbType.Varchar, NpgsqlTypes.NpgsqlDbType.Bigint, NpgsqlTypes.NpgsqlDbType.Varchar,
        NpgsqlTypes.NpgsqlDbType.Varchar, NpgsqlTypes.NpgsqlDbType.Varchar, NpgsqlTypes.NpgsqlDbType.Integer, NpgsqlTypes.NpgsqlDbType.Varchar,
        NpgsqlTypes.NpgsqlDbType.Varchar, NpgsqlTypes.NpgsqlDbType.Numeric, NpgsqlTypes.NpgsqlDbType.Numeric, NpgsqlTypes.NpgsqlDbType.Numeric,
        NpgsqlTypes.NpgsqlDbType.Integer, NpgsqlTypes.NpgsqlDbType.Timestamp, NpgsqlTypes.NpgsqlDbType.Timestamp, NpgsqlTypes.NpgsqlDbType.Uuid,
    ];

    /// <summary>Writes one row into a binary COPY.</summary>
    public static void WriteCopyRow(Npgsql.NpgsqlBinaryImporter import, object?[] row, string? dataArea = null)
    {
        import.StartRow();
        for (var i = 0; i < row.Length; i++)
        {
            var value = i == 1 && dataArea is not null ? dataArea : row[i];
            if (value is null) import.WriteNull();
            else import.Write(value, PostgresTypes[i]);
        }
    }

    /// <summary>Text forms for SQLite, the way the engine's own sample data binds them.</summary>
    public static object? ForSqlite(object? value) => value switch
    {
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        Guid g => g.ToString(),
        _ => value,
    };
}
