using System.Data.Common;
using System.Globalization;
using AsyncServer.Data;
using AsyncServer.Messaging.Sql;
using AsyncServer.Packaging;

namespace AsyncServer.Upload;

/// <summary>
/// One read transaction at a store's channel database: a consistent cut of every upload table, so a sale's header,
/// lines and payments travel together when the store wrote them together. Writers are held off for the length of the
/// read (SQLite: BEGIN IMMEDIATE; PostgreSQL: LOCK TABLE ... IN SHARE MODE, which also waits for transactions that hold
/// counters not committed yet; SQL Server: shared table locks held to the end), so no lower counter can commit after
/// a higher one was read. Disposing ends the transaction. On PostgreSQL the tables are locked all at once or not at all
/// (NOWAIT), never one held while waiting for another: a sale that writes its lines before its header would otherwise
/// deadlock with the read, and PostgreSQL would cancel one of them, perhaps the sale.
/// </summary>
public sealed class UploadChannelReader : IAsyncDisposable
{
    private SqlConnector? _connector;
    private readonly SqlDialect _dialect;
    private readonly DatabaseProvider _kind;
    private DbConnection? _conn;
    private DbTransaction? _tx;

    public UploadChannelReader(ResolvedConnection channel)
    {
        var provider = EngineContext.ProviderOf(channel);
        _connector = provider.OpenConnector(channel);
        _dialect = provider.Dialect;
        _kind = channel.Provider;
    }

    private string Name(TableSchema t) => _dialect.Quote(new QualifiedName(string.IsNullOrEmpty(t.Schema) ? null : t.Schema, t.Name));

    /// <summary>Begins the read and holds off writers of the tables.</summary>
    public async Task BeginAsync(IReadOnlyList<UploadChannelTable> tables, CancellationToken ct)
    {
        _conn = await _connector!.OpenAsync(create: false, ct).ConfigureAwait(false);
        _tx = await _connector!.BeginAsync(_conn, ct).ConfigureAwait(false);
        var names = tables.Select(t => Name(t.Table)).Distinct().ToList();
        if (_kind == DatabaseProvider.PostgreSql)
            await LockPostgresAsync(names, ct).ConfigureAwait(false);
        else if (_kind == DatabaseProvider.SqlServer)
            foreach (var name in names) await ScalarAsync($"SELECT COUNT_BIG(*) FROM {name} WITH (TABLOCK, HOLDLOCK)", [], ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Every table in SHARE MODE at once: when a writer holds one of them, the transaction is rolled back (holding nothing),
    /// waits for that table's writers on its own (a lock taken and released at once, which cannot deadlock: it is the only
    /// one held), and tries all of them again.
    /// </summary>
    private async Task LockPostgresAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await ExecuteAsync($"LOCK TABLE {string.Join(", ", names)} IN SHARE MODE NOWAIT", ct).ConfigureAwait(false);
                return;
            }
            catch (DbException ex) when (ex.SqlState == LockNotAvailable)
            {
                await _tx!.RollbackAsync(ct).ConfigureAwait(false);
                await _tx.DisposeAsync().ConfigureAwait(false);
                foreach (var name in names)
                {
                    _tx = await _connector!.BeginAsync(_conn!, ct).ConfigureAwait(false);
                    await ExecuteAsync($"LOCK TABLE {name} IN SHARE MODE", ct).ConfigureAwait(false);
                    await _tx.CommitAsync(ct).ConfigureAwait(false);
                    await _tx.DisposeAsync().ConfigureAwait(false);
                }
                _tx = await _connector!.BeginAsync(_conn!, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>PostgreSQL's SQLSTATE for a lock NOWAIT could not take.</summary>
    private const string LockNotAvailable = "55P03";

    /// <summary>The highest counter in the table (0 when it is empty).</summary>
    public async Task<long> MaxCounterAsync(UploadChannelTable t, CancellationToken ct)
        => Convert.ToInt64(await ScalarAsync($"SELECT COALESCE(MAX({_dialect.Quote(t.Counter.Name)}), 0) FROM {Name(t.Table)}", [], ct)
            .ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>Rows with a counter in (from, to].</summary>
    public async Task<long> CountAsync(UploadChannelTable t, long from, long to, CancellationToken ct)
        => Convert.ToInt64(await ScalarAsync($"SELECT COUNT(*) FROM {Name(t.Table)} WHERE {Range(t)}", [("@from", from), ("@to", to)], ct)
            .ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>Writes the rows with a counter in (from, to], in counter order, into the package's current table.</summary>
    public async Task WriteRowsAsync(UploadChannelTable t, long from, long to, PackageWriter writer, CancellationToken ct)
    {
        var columns = string.Join(", ", t.Columns.Select(c => _dialect.Quote(c.Channel.Name)));
        await using var cmd = Command($"SELECT 1, {columns} FROM {Name(t.Table)} WHERE {Range(t)} ORDER BY {_dialect.Quote(t.Counter.Name)}",
            [("@from", from), ("@to", to)]);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) writer.WriteRow(reader);
    }

    private string Range(UploadChannelTable t) => $"{_dialect.Quote(t.Counter.Name)} > @from AND {_dialect.Quote(t.Counter.Name)} <= @to";

    private DbCommand Command(string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var cmd = _conn!.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _tx;
        foreach (var (name, value) in parameters) cmd.Parameters.Add(_connector!.Parameter(name, value));
        return cmd;
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var cmd = Command(sql, []);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private async Task<object?> ScalarAsync(string sql, IEnumerable<(string, object?)> parameters, CancellationToken ct)
    {
        await using var cmd = Command(sql, parameters);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the read; safe to call twice (UploadRun ends it early, before delivery, and again when it leaves). Npgsql reuses a
    /// transaction object with its pooled connection, so disposing a stale one a second time would roll back whatever
    /// transaction another caller (a sale) has since begun on that connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var (tx, conn, connector) = (_tx, _conn, _connector);
        (_tx, _conn, _connector) = (null, null, null);
        if (tx is not null) await tx.DisposeAsync().ConfigureAwait(false);
        if (conn is not null) await conn.DisposeAsync().ConfigureAwait(false);
        if (connector is not null) await connector.DisposeAsync().ConfigureAwait(false);
    }
}
