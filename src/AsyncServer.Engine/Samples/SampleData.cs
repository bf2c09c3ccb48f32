using System.Globalization;
using AsyncServer.Data;
using AsyncServer.Providers.Sqlite;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Samples;

/// <summary>What a sample change round did.</summary>
public sealed record SampleChangeSummary(int Inserted, int Updated, int Deleted);

/// <summary>
/// Fills and changes the sample HQ database on SQLite. Deterministic for a seed, so a failing test or demo
/// can be replayed. Values exercise the package format: Unicode text, decimals with scale, dates, GUIDs,
/// binary and nulls.
/// </summary>
public static class SampleData
{
    private static readonly string[] Languages = ["en-us", "de"];
    private static readonly string[] Words =
        ["Contoso", "Fabrikam", "Adventure", "Größe", "Café", "Pijama", "Äpfel", "寿司", "Żółw", "Ski", "Boot", "Jacket", "Lamp", "Mug"];

    public static async Task CreateAsync(string sqliteFile, int products = 800, int seed = 1, CancellationToken cancellationToken = default)
    {
        if (File.Exists(sqliteFile)) File.Delete(sqliteFile);
        var connection = ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={sqliteFile}");
        await using var conn = await SqliteConnections.OpenAsync(connection, create: true, cancellationToken).ConfigureAwait(false);
        await SqliteConnections.ExecuteAsync(conn, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        await SqliteConnections.ExecuteAsync(conn, SampleSchema.Ddl, cancellationToken).ConfigureAwait(false);
        var rng = new Random(seed);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var w = new Writer(conn, tx, rng);
        for (var p = 1; p <= products; p++) await w.InsertProductAsync(p, cancellationToken).ConfigureAwait(false);
        for (var c = 1; c <= products / 2; c++) await w.InsertCustomerAsync(c, cancellationToken).ConfigureAwait(false);
        var stores = new[] { ("HOUSTON", "usrt"), ("SEATTLE", "usrt"), ("CHICAGO", "usmf"), ("DETROIT", "usmf") };
        for (var i = 0; i < stores.Length; i++)
        {
            await w.ExecAsync("INSERT INTO RETAILCHANNELTABLE VALUES (@r, @t, @loc, 'USD', @da, 5637144576)", cancellationToken,
                ("@r", 5637144000L + i), ("@t", i % 2), ("@loc", stores[i].Item1[..4]), ("@da", stores[i].Item2)).ConfigureAwait(false);
            await w.ExecAsync("INSERT INTO RETAILSTORETABLE VALUES (@n, @r, @name, 'TX', @da, 5637144576)", cancellationToken,
                ("@n", stores[i].Item1), ("@r", 5637144000L + i), ("@name", $"{stores[i].Item1[0]}{stores[i].Item1[1..].ToLowerInvariant()} store"),
                ("@da", stores[i].Item2)).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Random inserts, updates and deletes across the sample tables, some moving rows between legal entities.</summary>
    /// <param name="churn">
    /// Extra changes that stress keys: a customer deleted and inserted again under the same key, a price
    /// deleted and re-inserted for the other legal entity, a barcode whose key moves to the other legal entity,
    /// an item deleted and re-inserted in the same transaction.
    /// </param>
    public static async Task<SampleChangeSummary> ChangeAsync(string sqliteFile, int seed, int inserts, int updates, int deletes, int churn = 0,
        IProgress<SampleChangeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // Large runs (tens of thousands of changes) take a minute: report about every percent.
        var total = inserts + updates + deletes + churn;
        var step = Math.Max(1, total / 100);
        var made = 0;
        void Made(string what)
        {
            if (++made % step == 0 || made == total) progress?.Report(new SampleChangeProgress(what, made, total));
        }
        var connection = ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={sqliteFile}");
        await using var conn = await SqliteConnections.OpenAsync(connection, create: false, cancellationToken).ConfigureAwait(false);
        var rng = new Random(seed);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var w = new Writer(conn, tx, rng);
        var maxProduct = Convert.ToInt32(
            await SqliteConnections.ScalarAsync(conn, "SELECT COALESCE(MAX(RECID), 0) - 5637000000 FROM ECORESPRODUCT", cancellationToken, tx)
                .ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        int done = 0, updated = 0, deleted = 0;
        for (var i = 0; i < inserts; i++)
        {
            await w.InsertProductAsync(++maxProduct, cancellationToken).ConfigureAwait(false);
            done++;
            Made("Inserting products");
        }
        for (var i = 0; i < updates; i++)
        {
            var (table, sql) = UpdateStatement(rng.Next(5));
            if (await w.PickRowAsync(table, cancellationToken).ConfigureAwait(false) is { } row)
                updated += await w.ExecAsync(sql, cancellationToken, ("@row", row)).ConfigureAwait(false);
            Made("Updating rows");
        }
        for (var i = 0; i < deletes; i++)
        {
            var table = rng.Next(3) switch { 0 => "INVENTITEMBARCODE", 1 => "PRICEDISCTABLE", _ => "CUSTTABLE" };
            if (await w.PickRowAsync(table, cancellationToken).ConfigureAwait(false) is { } row)
                deleted += await w.ExecAsync($"DELETE FROM {table} WHERE rowid = @row", cancellationToken, ("@row", row)).ConfigureAwait(false);
            Made("Deleting rows");
        }
        for (var i = 0; i < churn; i++)
        {
            var (table, sql) = ChurnStatement(rng.Next(4));
            if (await w.PickRowAsync(table, cancellationToken).ConfigureAwait(false) is { } row)
                updated += await w.ExecAsync(sql, cancellationToken, ("@row", row)).ConfigureAwait(false);
            Made("Updating rows");
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SampleChangeSummary(done, updated, deleted);
    }

    /// <summary>An update of one row (@row) of the table it names; some move rows between legal entities.</summary>
    private static (string Table, string Sql) UpdateStatement(int pick) => pick switch
    {
        0 => ("PRICEDISCTABLE", "UPDATE PRICEDISCTABLE SET AMOUNT = ROUND(AMOUNT * 1.05, 4), TODATE = NULL WHERE rowid = @row"),
        // Moves a price from one legal entity to the other: it leaves one data group's filter and enters the other's.
        1 => ("PRICEDISCTABLE", "UPDATE PRICEDISCTABLE SET DATAAREAID = CASE DATAAREAID WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END WHERE rowid = @row"),
        2 => ("ECORESPRODUCTTRANSLATION", "UPDATE ECORESPRODUCTTRANSLATION SET NAME = NAME || ' ✓', DESCRIPTION = NULL WHERE rowid = @row"),
        3 => ("INVENTTABLE", "UPDATE INVENTTABLE SET ITEMTYPE = 1 - ITEMTYPE, NETWEIGHT = 0.0001234500000000 WHERE rowid = @row"),
        _ => ("CUSTTABLE", "UPDATE CUSTTABLE SET BLOCKED = 1 - BLOCKED, CREDITMAX = CREDITMAX + 100.5 WHERE rowid = @row"),
    };

    /// <summary>A change that stresses keys (see ChangeAsync's churn): a delete and re-insert, or a key moved to the other legal entity.</summary>
    private static (string Table, string Sql) ChurnStatement(int pick) => pick switch
    {
        0 => ("CUSTTABLE", """
             CREATE TEMP TABLE IF NOT EXISTS churn AS SELECT * FROM CUSTTABLE WHERE 0;
             DELETE FROM temp.churn;
             INSERT INTO temp.churn SELECT * FROM CUSTTABLE WHERE rowid = @row;
             DELETE FROM CUSTTABLE WHERE rowid = @row;
             INSERT INTO CUSTTABLE SELECT ACCOUNTNUM, DATAAREAID, 'Reinstated', CURRENCY, PARTY, 0, CREDITMAX + 1, RECID, PARTITION FROM temp.churn;
             """),
        1 => ("PRICEDISCTABLE", """
             CREATE TEMP TABLE IF NOT EXISTS churnprice AS SELECT * FROM PRICEDISCTABLE WHERE 0;
             DELETE FROM temp.churnprice;
             INSERT INTO temp.churnprice SELECT * FROM PRICEDISCTABLE WHERE rowid = @row;
             DELETE FROM PRICEDISCTABLE WHERE rowid = @row;
             INSERT INTO PRICEDISCTABLE SELECT RECID, RELATION, ITEMRELATION, ACCOUNTRELATION, AMOUNT + 1, CURRENCY, FROMDATE, TODATE,
                 QUANTITYAMOUNTFROM,
                 CASE DATAAREAID WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END, PARTITION FROM temp.churnprice;
             """),
        // The key moves to the other legal entity; OR IGNORE keeps it when that key is taken.
        2 => ("INVENTITEMBARCODE",
            "UPDATE OR IGNORE INVENTITEMBARCODE SET DATAAREAID = CASE DATAAREAID WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END WHERE rowid = @row;"),
        _ => ("INVENTTABLE", """
             CREATE TEMP TABLE IF NOT EXISTS churnitem AS SELECT * FROM INVENTTABLE WHERE 0;
             DELETE FROM temp.churnitem;
             INSERT INTO temp.churnitem SELECT * FROM INVENTTABLE WHERE rowid = @row;
             DELETE FROM INVENTTABLE WHERE rowid = @row;
             INSERT INTO INVENTTABLE SELECT ITEMID, DATAAREAID, PRODUCT, NAMEALIAS, 1 - ITEMTYPE, NETWEIGHT, CREATEDDATETIME, RECID, PARTITION
                 FROM temp.churnitem;
             """),
    };

    private sealed class Writer(SqliteConnection conn, SqliteTransaction tx, Random rng)
    {
        public Task<int> ExecAsync(string sql, CancellationToken ct, params (string, object?)[] p) => SqliteConnections.ExecuteAsync(conn, sql, ct, tx, p);

        /// <summary>A row chosen by the seeded generator (not SQLite's RANDOM()), so a seed replays the same changes.</summary>
        public async Task<long?> PickRowAsync(string table, CancellationToken ct)
        {
            var count = Convert.ToInt64(
                await SqliteConnections.ScalarAsync(conn, $"SELECT COUNT(*) FROM {table}", ct, tx).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (count == 0) return null;
            var offset = rng.NextInt64(count);
            return Convert.ToInt64(
                await SqliteConnections.ScalarAsync(conn, $"SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET @o", ct, tx, ("@o", offset))
                    .ConfigureAwait(false),
                CultureInfo.InvariantCulture);
        }

        private string Name() => $"{Words[rng.Next(Words.Length)]} {Words[rng.Next(Words.Length)]} {rng.Next(1000)}";

        public async Task InsertProductAsync(int n, CancellationToken ct)
        {
            long recId = 5637000000L + n;
            var itemId = $"I{n:D6}";
            var thumb = rng.Next(4) == 0 ? null : Enumerable.Range(0, 16).Select(_ => (byte)rng.Next(256)).ToArray();
            await ExecAsync("INSERT INTO ECORESPRODUCT VALUES (@r, @num, @search, @type, @g, @thumb, 5637144576)", ct,
                ("@r", recId), ("@num", itemId), ("@search", Name()), ("@type", 1 + rng.Next(2)),
                ("@g", new Guid(Enumerable.Range(0, 16).Select(_ => (byte)rng.Next(256)).ToArray()).ToString()),
                ("@thumb", thumb)).ConfigureAwait(false);
            foreach (var lang in Languages)
                await ExecAsync("INSERT INTO ECORESPRODUCTTRANSLATION VALUES (@p, @l, @name, @d, @r, 5637144576)", ct,
                    ("@p", recId), ("@l", lang), ("@name", Name()), ("@d", rng.Next(3) == 0 ? null : $"{Name()} — {lang}"),
                    ("@r", recId * 10 + (lang == "de" ? 1 : 0))).ConfigureAwait(false);
            foreach (var da in SampleSchema.LegalEntities)
            {
                if (rng.Next(4) == 0) continue; // not every product is released to every legal entity
                var alias = Name();
                await ExecAsync("INSERT INTO INVENTTABLE VALUES (@i, @da, @p, @alias, @type, @w, @created, @r, 5637144576)", ct,
                    ("@i", itemId), ("@da", da), ("@p", recId), ("@alias", rng.Next(5) == 0 ? null : alias[..Math.Min(20, alias.Length)]),
                    ("@type", rng.Next(2)), ("@w", rng.Next(3) == 0 ? null : Math.Round((decimal)rng.NextDouble() * 100m, 6)),
                    ("@created", new DateTime(2024, 1, 1).AddSeconds(rng.Next(30_000_000)).AddTicks(rng.Next(10_000_000))),
                    ("@r", recId * 10 + (da == "usrt" ? 2 : 3))).ConfigureAwait(false);
                await ExecAsync("INSERT INTO INVENTITEMBARCODE VALUES (@b, @da, @i, 'EAN13', @r, 5637144576)", ct,
                    ("@b", $"{rng.NextInt64(100000, 999999)}{n:D7}"), ("@da", da), ("@i", itemId), ("@r", recId * 10 + 4)).ConfigureAwait(false);
                await ExecAsync("INSERT INTO PRICEDISCTABLE VALUES (@r, 4, @i, '', @amt, 'USD', @from, @to, 1, @da, 5637144576)", ct,
                    ("@r", recId * 10 + (da == "usrt" ? 5 : 6)), ("@i", itemId),
                    ("@amt", Math.Round((decimal)rng.NextDouble() * 500m + 0.99m, 2).ToString("0.0000", CultureInfo.InvariantCulture)),
                    ("@from", new DateTime(2025, 1, 1)), ("@to", rng.Next(2) == 0 ? null : new DateTime(2030, 12, 31, 23, 59, 59)),
                    ("@da", da)).ConfigureAwait(false);
            }
        }

        public async Task InsertCustomerAsync(int n, CancellationToken ct)
        {
            long party = 5638000000L + n;
            await ExecAsync("INSERT INTO DIRPARTYTABLE VALUES (@r, @name, @l, @num, 5637144576)", ct,
                ("@r", party), ("@name", Name()), ("@l", Languages[n % 2]), ("@num", $"P{n:D8}")).ConfigureAwait(false);
            await ExecAsync("INSERT INTO CUSTTABLE VALUES (@a, @da, @g, 'USD', @p, 0, @credit, @r, 5637144576)", ct,
                ("@a", $"C{n:D6}"), ("@da", SampleSchema.LegalEntities[n % 2]), ("@g", n % 3 == 0 ? "Retail" : "Wholesale"), ("@p", party),
                ("@credit", (1000m + n).ToString("0.00", CultureInfo.InvariantCulture)), ("@r", 5639000000L + n)).ConfigureAwait(false);
        }
    }
}

/// <summary>How far Update-AsyncSampleData has come: changes made of the total asked for.</summary>
public sealed record SampleChangeProgress(string Activity, int Done, int Total)
{
    public int PercentComplete => Total == 0 ? 100 : (int)(100L * Done / Total);
}
