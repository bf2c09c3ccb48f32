using AsyncServer.Tests.Support;
using System.Text.RegularExpressions;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Providers;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Samples;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AsyncServer.Tests.Support;

/// <summary>
/// The sample HQ on PostgreSQL for the end-to-end tests: the sample schema (SampleSchema.Ddl with PostgreSQL
/// types, names quoted so they keep the AX spelling), filled with a copy of a filled SQLite sample HQ, change
/// tracking on through the PostgreSQL change source, and random change rounds like SampleData.ChangeAsync.
/// Deterministic for a seed: rows are picked by primary-key order with the seeded generator.
/// </summary>
public static partial class PostgresSampleHq
{
    private static readonly string[] Languages = ["en-us", "de"];
    private static readonly string[] Words = ["Contoso", "Fabrikam", "Größe", "Café", "寿司", "Żółw", "Ski", "Lamp"];

    /// <summary>Primary key of every table the change rounds pick rows from, for a replayable row order.</summary>
    private static readonly Dictionary<string, string> Keys = new()
    {
        ["PRICEDISCTABLE"] = "\"RECID\"",
        ["ECORESPRODUCTTRANSLATION"] = "\"PRODUCT\", \"LANGUAGEID\"",
        ["INVENTTABLE"] = "\"ITEMID\", \"DATAAREAID\"",
        ["CUSTTABLE"] = "\"ACCOUNTNUM\", \"DATAAREAID\"",
        ["INVENTITEMBARCODE"] = "\"ITEMBARCODE\", \"DATAAREAID\"",
        ["DIRPARTYTABLE"] = "\"RECID\"",
        ["RETAILSTORETABLE"] = "\"STORENUMBER\"",
    };

    private static readonly HashSet<string> DdlWords = ["CREATE", "TABLE", "NOT", "NULL", "PRIMARY", "KEY", "BIGINT", "INT", "NVARCHAR", "DECIMAL", "DATETIME", "UNIQUEIDENTIFIER", "VARBINARY", "INDEX", "ON"];

    /// <summary>SampleSchema.Ddl for PostgreSQL.</summary>
    public static string Ddl()
    {
        var quoted = Identifier().Replace(SampleSchema.Ddl, m => DdlWords.Contains(m.Value) ? m.Value : $"\"{m.Value}\"");
        // Types outside quotes only (CREATEDDATETIME is a column): identifiers are quoted by now.
        foreach (var (from, to) in new[] { (@"\bNVARCHAR\b", "VARCHAR"), (@"\bDECIMAL\b", "NUMERIC"), (@"\bDATETIME\b", "TIMESTAMP"), (@"\bUNIQUEIDENTIFIER\b", "UUID"), (@"\bVARBINARY\(\d+\)", "BYTEA") })
            quoted = Regex.Replace(quoted, from, to);
        return quoted;
    }

    [GeneratedRegex(@"\b[A-Z][A-Z0-9_]*\b")]
    private static partial Regex Identifier();

    /// <summary>Creates the schema in an empty PostgreSQL database, copies every row of the SQLite sample HQ, and enables change tracking.</summary>
    public static async Task CreateAsync(string connectionString, string sqliteHqFile)
    {
        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync();
        await using (var ddl = new NpgsqlCommand(Ddl(), pg)) await ddl.ExecuteNonQueryAsync();
        // The store transaction tables of upload job P-0001 (docs/upload.md).
        await using (var sales = new NpgsqlCommand(SampleSales.Ddl(DatabaseProvider.PostgreSql, channel: false), pg)) await sales.ExecuteNonQueryAsync();
        await using var sqlite = await SqliteConnections.OpenAsync(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={sqliteHqFile}"), false, default);
        await using var tx = await pg.BeginTransactionAsync();
        foreach (var table in SampleSchema.Tables)
        {
            var columns = new List<(string Name, string Type)>();
            await using (var describe = new NpgsqlCommand("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = @t::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", pg, tx))
            {
                describe.Parameters.AddWithValue("t", $"\"{table}\"");
                await using var r = await describe.ExecuteReaderAsync();
                while (await r.ReadAsync()) columns.Add((r.GetString(0), r.GetString(1)));
            }
            await using var read = sqlite.CreateCommand();
            read.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))} FROM \"{table}\"";
            await using var rows = await read.ExecuteReaderAsync();
            await using var insert = new NpgsqlCommand($"INSERT INTO \"{table}\" VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})", pg, tx);
            while (await rows.ReadAsync())
            {
                insert.Parameters.Clear();
                for (var i = 0; i < columns.Count; i++)
                    insert.Parameters.AddWithValue($"p{i}", Read(rows, i, columns[i].Type));
                await insert.ExecuteNonQueryAsync();
            }
        }
        await tx.CommitAsync();
        await using var source = ProviderFactory.CreateChangeSource(ResolvedConnection.FromString(DatabaseProvider.PostgreSql, connectionString));
        await source.EnableChangeTrackingAsync(SampleSchema.Tables, ParentFilters.OptionsFor(SampleConfiguration.Create(), ChangeTrackingOptions.Default.Retention), default);
    }

    private static object Read(SqliteDataReader r, int i, string pgType)
    {
        if (r.IsDBNull(i)) return DBNull.Value;
        return pgType switch
        {
            "bigint" => r.GetInt64(i),
            "integer" => r.GetInt32(i),
            "uuid" => r.GetGuid(i),
            "bytea" => r.GetFieldValue<byte[]>(i),
            "timestamp without time zone" => r.GetDateTime(i),
            _ when pgType.StartsWith("numeric", StringComparison.Ordinal) => r.GetDecimal(i),
            _ => r.GetString(i),
        };
    }

    /// <summary>
    /// One random change round in one committed transaction, the PostgreSQL counterpart of SampleData.ChangeAsync:
    /// inserts, updates (some moving rows between usrt and usmf), deletes, and churn (keys deleted and
    /// re-inserted, a barcode key moving to the other legal entity).
    /// </summary>
    public static async Task<SampleChangeSummary> ChangeAsync(string connectionString, int seed, int inserts, int updates, int deletes, int churn)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var w = new Writer(conn, tx, new Random(seed));
        var summary = await w.ChangeAsync(inserts, updates, deletes, churn);
        await tx.CommitAsync();
        return summary;
    }

    /// <summary>
    /// A long HQ transaction: begins and writes now (new products in a range of their own, a renamed store and
    /// party, rows no change round touches, so nothing waits on its locks) and commits only when disposed or
    /// committed, typically after one or more distribution runs.
    /// </summary>
    public static async Task<LongTransaction> BeginLongTransactionAsync(string connectionString, int seed, int number)
    {
        var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        var rng = new Random(seed);
        var w = new Writer(conn, tx, rng);
        var products = rng.Next(1, 3);
        for (var i = 0; i < products; i++) await w.InsertProductAsync(500_000 + number * 10 + i);
        var renamed = await w.ExecAsync("UPDATE \"RETAILSTORETABLE\" SET \"NAME\" = @n WHERE ctid = (SELECT ctid FROM \"RETAILSTORETABLE\" ORDER BY \"STORENUMBER\" LIMIT 1 OFFSET @o)",
            ("n", $"Store renamed by long transaction {number}"), ("o", rng.Next(4)));
        renamed += await w.UpdatePickedAsync("DIRPARTYTABLE", "UPDATE \"DIRPARTYTABLE\" SET \"NAME\" = \"NAME\" || ' (long)' WHERE ctid = (SELECT ctid FROM \"DIRPARTYTABLE\" ORDER BY \"RECID\" LIMIT 1 OFFSET @o)");
        return new LongTransaction(conn, tx, $"long transaction {number} (seed {seed}): {products} product(s) inserted, {renamed} row(s) updated, open");
    }

    public sealed class LongTransaction(NpgsqlConnection conn, NpgsqlTransaction tx, string description) : IAsyncDisposable
    {
        public string Description { get; } = description;

        public async Task CommitAsync() => await tx.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }

    private sealed class Writer(NpgsqlConnection conn, NpgsqlTransaction tx, Random rng)
    {
        public async Task<int> ExecAsync(string sql, params (string, object?)[] p)
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            foreach (var (n, v) in p) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
            return await cmd.ExecuteNonQueryAsync();
        }

        private async Task<object?> ScalarAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            return await cmd.ExecuteScalarAsync();
        }

        /// <summary>Runs <paramref name="sql"/> with @o = the offset of a row chosen by the seeded generator in primary-key order.</summary>
        public async Task<int> UpdatePickedAsync(string table, string sql)
        {
            var count = Convert.ToInt64(await ScalarAsync($"SELECT COUNT(*) FROM \"{table}\""));
            if (count == 0) return 0;
            return await ExecAsync(sql, ("o", rng.NextInt64(count)));
        }

        private string Pick(string table) => $"(SELECT ctid FROM \"{table}\" ORDER BY {Keys[table]} LIMIT 1 OFFSET @o)";

        public string Name() => $"{Words[rng.Next(Words.Length)]} {Words[rng.Next(Words.Length)]} {rng.Next(1000)}";

        public async Task<SampleChangeSummary> ChangeAsync(int inserts, int updates, int deletes, int churn)
        {
            var maxProduct = Convert.ToInt32(await ScalarAsync("SELECT COALESCE(MAX(\"RECID\"), 0) - 5637000000 FROM \"ECORESPRODUCT\" WHERE \"RECID\" < 5637500000"));
            int done = 0, updated = 0, deleted = 0;
            for (var i = 0; i < inserts; i++) { await InsertProductAsync(++maxProduct); done++; }
            for (var i = 0; i < updates; i++)
            {
                var (table, set) = rng.Next(5) switch
                {
                    0 => ("PRICEDISCTABLE", "\"AMOUNT\" = ROUND(\"AMOUNT\" * 1.05, 4), \"TODATE\" = NULL"),
                    // Moves a price from one legal entity to the other: it leaves one data group's filter and enters the other's.
                    1 => ("PRICEDISCTABLE", "\"DATAAREAID\" = CASE \"DATAAREAID\" WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END"),
                    2 => ("ECORESPRODUCTTRANSLATION", "\"NAME\" = LEFT(\"NAME\", 57) || ' ✓', \"DESCRIPTION\" = NULL"),
                    3 => ("INVENTTABLE", "\"ITEMTYPE\" = 1 - \"ITEMTYPE\", \"NETWEIGHT\" = 0.0001234500000000"),
                    _ => ("CUSTTABLE", "\"BLOCKED\" = 1 - \"BLOCKED\", \"CREDITMAX\" = \"CREDITMAX\" + 100.5"),
                };
                updated += await UpdatePickedAsync(table, $"UPDATE \"{table}\" SET {set} WHERE ctid = {Pick(table)}");
            }
            for (var i = 0; i < deletes; i++)
            {
                var table = rng.Next(3) switch { 0 => "INVENTITEMBARCODE", 1 => "PRICEDISCTABLE", _ => "CUSTTABLE" };
                deleted += await UpdatePickedAsync(table, $"DELETE FROM \"{table}\" WHERE ctid = {Pick(table)}");
            }
            for (var i = 0; i < churn; i++)
            {
                var (table, sql) = rng.Next(4) switch
                {
                    0 => ("CUSTTABLE", $"""
                         CREATE TEMP TABLE churn AS SELECT * FROM "CUSTTABLE" WHERE ctid = {Pick("CUSTTABLE")};
                         DELETE FROM "CUSTTABLE" c USING churn WHERE c."ACCOUNTNUM" = churn."ACCOUNTNUM" AND c."DATAAREAID" = churn."DATAAREAID";
                         INSERT INTO "CUSTTABLE" SELECT "ACCOUNTNUM", "DATAAREAID", 'Reinstated', "CURRENCY", "PARTY", 0, "CREDITMAX" + 1, "RECID", "PARTITION" FROM churn;
                         DROP TABLE churn;
                         """),
                    1 => ("PRICEDISCTABLE", $"""
                         CREATE TEMP TABLE churn AS SELECT * FROM "PRICEDISCTABLE" WHERE ctid = {Pick("PRICEDISCTABLE")};
                         DELETE FROM "PRICEDISCTABLE" p USING churn WHERE p."RECID" = churn."RECID";
                         INSERT INTO "PRICEDISCTABLE" SELECT "RECID", "RELATION", "ITEMRELATION", "ACCOUNTRELATION", "AMOUNT" + 1, "CURRENCY", "FROMDATE", "TODATE", "QUANTITYAMOUNTFROM",
                             CASE "DATAAREAID" WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END, "PARTITION" FROM churn;
                         DROP TABLE churn;
                         """),
                    // The key moves to the other legal entity, unless that key is taken.
                    2 => ("INVENTITEMBARCODE", $"""
                         UPDATE "INVENTITEMBARCODE" b SET "DATAAREAID" = CASE b."DATAAREAID" WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END
                         WHERE b.ctid = {Pick("INVENTITEMBARCODE")}
                           AND NOT EXISTS (SELECT 1 FROM "INVENTITEMBARCODE" o WHERE o."ITEMBARCODE" = b."ITEMBARCODE" AND o."DATAAREAID" <> b."DATAAREAID");
                         """),
                    _ => ("INVENTTABLE", $"""
                         CREATE TEMP TABLE churn AS SELECT * FROM "INVENTTABLE" WHERE ctid = {Pick("INVENTTABLE")};
                         DELETE FROM "INVENTTABLE" t USING churn WHERE t."ITEMID" = churn."ITEMID" AND t."DATAAREAID" = churn."DATAAREAID";
                         INSERT INTO "INVENTTABLE" SELECT "ITEMID", "DATAAREAID", "PRODUCT", "NAMEALIAS", 1 - "ITEMTYPE", "NETWEIGHT", "CREATEDDATETIME", "RECID", "PARTITION" FROM churn;
                         DROP TABLE churn;
                         """),
                };
                updated += await UpdatePickedAsync(table, sql);
            }
            return new SampleChangeSummary(done, updated, deleted);
        }

        public async Task InsertProductAsync(int n)
        {
            long recId = 5637000000L + n;
            var itemId = $"I{n:D6}";
            var thumb = rng.Next(4) == 0 ? null : Enumerable.Range(0, 16).Select(_ => (byte)rng.Next(256)).ToArray();
            await ExecAsync("INSERT INTO \"ECORESPRODUCT\" VALUES (@r, @num, @search, @type, @g, @thumb, 5637144576)",
                ("r", recId), ("num", itemId), ("search", Name()), ("type", 1 + rng.Next(2)), ("g", new Guid(Enumerable.Range(0, 16).Select(_ => (byte)rng.Next(256)).ToArray())), ("thumb", thumb));
            foreach (var lang in Languages)
                await ExecAsync("INSERT INTO \"ECORESPRODUCTTRANSLATION\" VALUES (@p, @l, @name, @d, @r, 5637144576)",
                    ("p", recId), ("l", lang), ("name", Name()), ("d", rng.Next(3) == 0 ? null : $"{Name()} — {lang}"), ("r", recId * 10 + (lang == "de" ? 1 : 0)));
            foreach (var da in SampleSchema.LegalEntities)
            {
                if (rng.Next(4) == 0) continue; // not every product is released to every legal entity
                var alias = Name();
                await ExecAsync("INSERT INTO \"INVENTTABLE\" VALUES (@i, @da, @p, @alias, @type, @w, @created, @r, 5637144576)",
                    ("i", itemId), ("da", da), ("p", recId), ("alias", rng.Next(5) == 0 ? null : alias[..Math.Min(20, alias.Length)]), ("type", rng.Next(2)),
                    ("w", rng.Next(3) == 0 ? null : Math.Round((decimal)rng.NextDouble() * 100m, 6)),
                    ("created", new DateTime(2024, 1, 1).AddSeconds(rng.Next(30_000_000)).AddTicks(rng.Next(1_000_000) * 10)), ("r", recId * 10 + (da == "usrt" ? 2 : 3)));
                await ExecAsync("INSERT INTO \"INVENTITEMBARCODE\" VALUES (@b, @da, @i, 'EAN13', @r, 5637144576)",
                    ("b", $"{rng.NextInt64(100000, 999999)}{n:D7}"), ("da", da), ("i", itemId), ("r", recId * 10 + 4));
                await ExecAsync("INSERT INTO \"PRICEDISCTABLE\" VALUES (@r, 4, @i, '', @amt, 'USD', @from, @to, 1, @da, 5637144576)",
                    ("r", recId * 10 + (da == "usrt" ? 5 : 6)), ("i", itemId), ("amt", Math.Round((decimal)rng.NextDouble() * 500m + 0.99m, 2)),
                    ("from", new DateTime(2025, 1, 1)), ("to", rng.Next(2) == 0 ? null : new DateTime(2030, 12, 31, 23, 59, 59)), ("da", da));
            }
        }
    }
}
