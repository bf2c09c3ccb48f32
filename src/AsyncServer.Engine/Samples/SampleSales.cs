using System.Data.Common;
using System.Globalization;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Samples;

/// <summary>
/// The AX-like store transaction tables of upload job P-0001 (docs/upload.md): a sale's header, lines and payments. At a
/// store each table's REPLICATIONCOUNTERFROMORIGIN is an identity; at HQ it is a plain column keeping the store's value.
/// DDL per provider, and a generator of sales (New-AsyncSampleSale), one transaction per sale.
/// </summary>
public static class SampleSales
{
    public const string Header = "RETAILTRANSACTIONTABLE";
    public const string Lines = "RETAILTRANSACTIONSALESTRANS";
    public const string Payments = "RETAILTRANSACTIONPAYMENTTRANS";
    public const string Counter = UploadSubjobSettings.DefaultCounterColumn;
    public const string JobId = "P-0001";
    public static readonly string[] Tables = [Header, Lines, Payments];

    private enum T { Text10, Text20, Text44, Area, Int, Money, When }

    private static readonly (string Name, T Type, bool Null)[] KeyColumns =
        [("TRANSACTIONID", T.Text44, false), ("STORE", T.Text10, false), ("TERMINAL", T.Text10, false), ("DATAAREAID", T.Area, false)];

    private static readonly Dictionary<string, (string Name, T Type, bool Null)[]> Columns = new()
    {
        [Header] = [.. KeyColumns, ("TRANSDATE", T.When, false), ("TYPE", T.Int, false), ("CUSTACCOUNT", T.Text20, true),
            ("GROSSAMOUNT", T.Money, false), ("NETAMOUNT", T.Money, false), ("NUMBEROFITEMLINES", T.Int, false)],
        [Lines] = [.. KeyColumns, ("LINENUM", T.Int, false), ("ITEMID", T.Text20, false), ("QTY", T.Money, false), ("PRICE", T.Money, false),
            ("NETAMOUNT", T.Money, false)],
        [Payments] = [.. KeyColumns, ("LINENUM", T.Int, false), ("TENDERTYPE", T.Text10, false), ("AMOUNTTENDERED", T.Money, false)],
    };

    /// <summary>The key of each table at HQ (and its unique key at a store).</summary>
    public static IReadOnlyList<string> KeyOf(string table) => table == Header
        ? KeyColumns.Select(c => c.Name).ToList() : [.. KeyColumns.Select(c => c.Name), "LINENUM"];

    /// <summary>CREATE TABLE statements; at a store (<paramref name="channel"/>) the counter is an identity.</summary>
    public static string Ddl(DatabaseProvider provider, bool channel)
    {
        var q = SqlDialect.For(provider);
        var statements = Tables.Select(table =>
        {
            var columns = Columns[table].Select(c => $"{q.Quote(c.Name)} {TypeOf(provider, c.Type)}{(c.Null ? "" : " NOT NULL")}").ToList();
            var key = string.Join(", ", KeyOf(table).Select(q.Quote));
            columns.Add($"{q.Quote(Counter)} {(channel ? IdentityOf(provider) : "BIGINT NOT NULL")}");
            columns.Add(channel ? $"UNIQUE ({key})" : $"PRIMARY KEY ({key})");
            var ifNotExists = provider == DatabaseProvider.SqlServer ? "" : "IF NOT EXISTS ";
            return $"CREATE TABLE {ifNotExists}{q.Quote(table)} ({string.Join(", ", columns)})";
        });
        return string.Join(";\n", statements) + ";";
    }

    private static string IdentityOf(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        DatabaseProvider.PostgreSql => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        _ => "BIGINT IDENTITY(1, 1) PRIMARY KEY",
    };

    private static string TypeOf(DatabaseProvider provider, T type) => (type, provider) switch
    {
        (T.Text10, DatabaseProvider.PostgreSql) => "VARCHAR(10)",
        (T.Text20, DatabaseProvider.PostgreSql) => "VARCHAR(20)",
        (T.Text44, DatabaseProvider.PostgreSql) => "VARCHAR(44)",
        (T.Area, DatabaseProvider.PostgreSql) => "VARCHAR(4)",
        (T.Text10, _) => "NVARCHAR(10)",
        (T.Text20, _) => "NVARCHAR(20)",
        (T.Text44, _) => "NVARCHAR(44)",
        (T.Area, _) => "NVARCHAR(4)",
        (T.Int, _) => "INT",
        (T.Money, _) => "DECIMAL(32,16)",
        (T.When, DatabaseProvider.PostgreSql) => "TIMESTAMP",
        (T.When, DatabaseProvider.SqlServer) => "DATETIME2",
        (T.When, _) => "DATETIME",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Creates the three tables (at a store, or at HQ) unless they exist.</summary>
    public static async Task CreateTablesAsync(ResolvedConnection connection, bool channel, CancellationToken ct)
    {
        await using var connector = EngineContext.ProviderOf(connection).OpenConnector(connection);
        await using var conn = await connector.OpenAsync(create: true, ct).ConfigureAwait(false);
        if (connection.Provider == DatabaseProvider.SqlServer && await ExistsAsync(conn, ct).ConfigureAwait(false)) return;
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = Ddl(connection.Provider, channel);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<bool> ExistsAsync(DbConnection conn, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = '{Header}'";
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Sells <paramref name="count"/> times at a store: each sale is one transaction of a header, one to five lines and a
    /// payment. Returns the transaction ids.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SellAsync(ResolvedConnection channel, string store, string dataAreaId, int count, int seed,
        CancellationToken ct)
    {
        var random = new Random(seed);
        var ids = new List<string>();
        await using var connector = EngineContext.ProviderOf(channel).OpenConnector(channel);
        await using var conn = await connector.OpenAsync(create: false, ct).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            var id = $"{store}-{Guid.NewGuid():N}"[..Math.Min(44, store.Length + 13)];
            await using var tx = await connector.BeginAsync(conn, ct).ConfigureAwait(false);
            await SellOneAsync(new SaleWriter(connector, conn, tx, SqlDialect.For(channel.Provider)), id, store, dataAreaId, random, ct)
                .ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            ids.Add(id);
        }
        return ids;
    }

    private static async Task SellOneAsync(SaleWriter w, string id, string store, string area, Random random, CancellationToken ct)
    {
        var key = new (string, object?)[] { ("TRANSACTIONID", id), ("STORE", store), ("TERMINAL", store + "-1"), ("DATAAREAID", area) };
        var lines = random.Next(1, 6);
        decimal total = 0;
        for (var n = 1; n <= lines; n++)
        {
            decimal qty = random.Next(1, 4), price = random.Next(100, 10_000) / 100m;
            total += qty * price;
            await w.InsertAsync(Lines, [.. key, ("LINENUM", n), ("ITEMID", $"ITEM-{random.Next(1, 51):D4}"), ("QTY", qty), ("PRICE", price),
                ("NETAMOUNT", qty * price)], ct).ConfigureAwait(false);
        }
        await w.InsertAsync(Payments, [.. key, ("LINENUM", 1), ("TENDERTYPE", random.Next(2) == 0 ? "CASH" : "CARD"), ("AMOUNTTENDERED", total)], ct)
            .ConfigureAwait(false);
        var when = DateTime.SpecifyKind(DateTime.UtcNow, DateTimeKind.Unspecified);
        await w.InsertAsync(Header, [.. key, ("TRANSDATE", new DateTime(when.Ticks - when.Ticks % TimeSpan.TicksPerSecond)), ("TYPE", 2),
            ("CUSTACCOUNT", null), ("GROSSAMOUNT", total), ("NETAMOUNT", total), ("NUMBEROFITEMLINES", lines)], ct).ConfigureAwait(false);
    }

    private sealed class SaleWriter(SqlConnector connector, DbConnection conn, DbTransaction tx, SqlDialect q)
    {
        public async Task InsertAsync(string table, (string Column, object? Value)[] values, CancellationToken ct)
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"INSERT INTO {q.Quote(table)} ({string.Join(", ", values.Select(v => q.Quote(v.Column)))}) " +
                $"VALUES ({string.Join(", ", values.Select((_, i) => $"@v{i}"))})";
            for (var i = 0; i < values.Length; i++) cmd.Parameters.Add(connector.Parameter($"@v{i}", values[i].Value));
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }
}
