using System.Data.Common;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Npgsql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// A channel database on PostgreSQL. A package is applied in one transaction: missing tables are created from
/// the manifest, tables to empty are emptied, then each table's rows are applied. A table that is empty (seeding,
/// full sync), or that receives a part of a full sync (new keys), is loaded by binary COPY straight into it when
/// its key and column types allow; otherwise, or when the package turns out to hold a delete or a key already
/// there or repeated, the rows are bulk loaded by binary COPY into a temporary staging table and applied with
/// set-based statements: a key repeated in the package keeps only its last row (checked first, usually none),
/// delete by key, then one INSERT ... ON CONFLICT DO UPDATE when the channel table's primary key is the
/// package key (else update by key, insert the missing keys). Any error rolls the whole package back. Re-applying a
/// package leaves the same rows as applying it once. Rows travel as binary COPY tuples encoded straight from the
/// package's lines (<see cref="PostgresCopyEncoder"/>).
/// </summary>
internal sealed class PostgresChannelTarget(ResolvedConnection connection) : SqlChannelTarget<PostgresChannelTarget.Plan>(connection)
{
    /// <summary>The channel table, and its column for each package column (in package order).</summary>
    public sealed record Plan(TableSchema Target, IReadOnlyList<ColumnSchema> Columns);

    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override async Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken)
        => await PostgresConnections.OpenAsync(Connection, cancellationToken).ConfigureAwait(false);

    protected override async Task<TableSchema?> DescribeAsync(DbConnection conn, DbTransaction? tx, string table, CancellationToken cancellationToken)
        => (await PostgresCatalog.DescribeAsync((NpgsqlConnection)conn, table, cancellationToken, (NpgsqlTransaction?)tx).ConfigureAwait(false))?.Schema;

    protected override bool IsDatabaseError(Exception exception) => exception is NpgsqlException;

    protected override string NameOf(Plan plan) => plan.Target.DisplayName;

    /// <summary>
    /// The channel table of a package table: created from the manifest when missing (its columns in the
    /// logical types' PostgreSQL types, the key as primary key); an existing one must have every column.
    /// </summary>
    protected override async Task<Plan> PrepareAsync(ApplyStep step, PackageTable table)
    {
        var (conn, tx, ct) = ((NpgsqlConnection)step.Connection, (NpgsqlTransaction)step.Transaction, step.CancellationToken);
        var schema = (await PostgresCatalog.DescribeAsync(conn, table.ChannelTable, ct, tx).ConfigureAwait(false))?.Schema;
        if (schema is null)
        {
            var d = SqlDialect.PostgreSql;
            var columns = table.Columns.Select(c =>
                $"{d.Quote(c.Name)} {PostgresTypes.ToDeclared(c.Type)}{(c.Nullable && !table.KeyColumns.Contains(c.Name) ? "" : " NOT NULL")}");
            await PostgresConnections.ExecuteAsync(conn,
                $"CREATE TABLE {d.Quote(QualifiedName.Parse(table.ChannelTable))} ({string.Join(", ", columns)}, " +
                $"PRIMARY KEY ({string.Join(", ", table.KeyColumns.Select(d.Quote))}))",
                ct, tx).ConfigureAwait(false);
            schema = (await PostgresCatalog.DescribeAsync(conn, table.ChannelTable, ct, tx).ConfigureAwait(false))!.Schema;
        }
        else RequireColumns(schema, schema.DisplayName, table, step.Package.Manifest.SessionId);
        return new Plan(schema, table.Columns.Select(c => schema.Find(c.Name)!).ToList());
    }

    protected override async Task<string?> EmptyAsync(ApplyStep step, string table)
    {
        var (conn, tx, ct) = ((NpgsqlConnection)step.Connection, (NpgsqlTransaction)step.Transaction, step.CancellationToken);
        var target = (await PostgresCatalog.DescribeAsync(conn, table, ct, tx).ConfigureAwait(false))?.Schema;
        if (target is null) return null; // nothing to empty
        await PostgresConnections.ExecuteAsync(conn, $"DELETE FROM {PostgresCatalog.Quote(target)}", ct, tx).ConfigureAwait(false);
        return target.DisplayName;
    }

    /// <summary>
    /// The parts of a full sync carry keys that the channel table mostly does not hold yet (part 1 into an emptied
    /// table, parts 2.. after it): they try the direct COPY even into a filled table.
    /// </summary>
    protected override Task<(long Upserted, long Deleted)> ApplyTableAsync(ApplyStep step, PackageTable table, Plan plan, int index)
        => ApplyTableAsync((NpgsqlConnection)step.Connection, (NpgsqlTransaction)step.Transaction, step.Package, table, plan.Target, plan.Columns,
            $"async_stage_{index}", string.Equals(step.Package.Manifest.Kind, nameof(SessionKind.Full), StringComparison.OrdinalIgnoreCase),
            step.CancellationToken);

    private static async Task<(long Upserted, long Deleted)> ApplyTableAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PackageReader package,
        PackageTable table, TableSchema target, IReadOnlyList<ColumnSchema> columns, string stage, bool fullSync, CancellationToken ct)
    {
        var quoted = PostgresCatalog.Quote(target);
        var types = table.Columns.Select(c => c.Type).ToArray();
        var keyIndexes = table.KeyColumns.Select(k => table.Columns.FindIndex(c => c.Name == k)).ToArray();

        // When the channel table's primary key is exactly the package's key (always so for tables created from a
        // manifest), the upsert is one INSERT ... ON CONFLICT DO UPDATE; otherwise UPDATE by key, then INSERT.
        var primaryKey = target.PrimaryKey;
        var oneStatement = primaryKey.Count == keyIndexes.Length
            && keyIndexes.All(k => primaryKey.Any(c => string.Equals(c.Name, columns[k].Name, StringComparison.Ordinal)));
        if (oneStatement
            && await TryCopyDirectAsync(conn, tx, package, table, columns, keyIndexes, types, quoted, fullSync, ct).ConfigureAwait(false) is long copied)
            return (copied, 0);

        var (upserts, deletes) = await StageAsync(conn, tx, package, table, columns, keyIndexes, types, stage, ct).ConfigureAwait(false);
        if (deletes > 0) // counted while copying: no delete rows, no join with the channel table
            await PostgresConnections.ExecuteAsync(conn,
                $"DELETE FROM {quoted} t USING pg_temp.{stage} s WHERE NOT s.__upsert AND {KeyMatch(columns, keyIndexes, "t", "s")}", ct, tx)
                .ConfigureAwait(false);
        await UpsertStagedAsync(conn, tx, quoted, columns, keyIndexes, types, stage, oneStatement, ct).ConfigureAwait(false);
        // Counted like row-by-row apply does: every upsert and delete row of the package (a delete of a key the
        // channel never had counts too; it is a no-op).
        return (upserts, deletes);
    }

    /// <summary>The staging table's column of package column <paramref name="i"/>.</summary>
    private static string S(int i) => "c" + i;

    /// <summary>
    /// The key columns of alias <paramref name="left"/> equal those of <paramref name="right"/> ("t" is the channel table,
    /// any other alias staged rows).
    /// </summary>
    private static string KeyMatch(IReadOnlyList<ColumnSchema> columns, int[] keyIndexes, string left, string right)
    {
        var d = SqlDialect.PostgreSql;
        return string.Join(" AND ", keyIndexes.Select(k =>
            $"{left}.{(left == "t" ? d.Quote(columns[k].Name) : S(k))} = {right}.{(right == "t" ? d.Quote(columns[k].Name) : S(k))}"));
    }

    /// <summary>
    /// Copies the package's rows into the temporary staging table <paramref name="stage"/> and leaves each key once
    /// (its last row); returns the upsert and delete rows counted while copying.
    /// </summary>
    private static async Task<(long Upserts, long Deletes)> StageAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PackageReader package,
        PackageTable table, IReadOnlyList<ColumnSchema> columns, int[] keyIndexes, LogicalType[] types, string stage, CancellationToken ct)
    {
        // Staging columns carry the package's logical types; PostgreSQL's assignment casts convert them to the
        // channel columns' own types on insert and update (and reject values that do not fit, e.g. too long).
        var stageColumns = string.Join(", ", types.Select((t, i) => $"{S(i)} {PostgresTypes.ToDeclared(t)}"));
        await PostgresConnections.ExecuteAsync(conn,
            $"CREATE TEMP TABLE {stage} (__seq bigint NOT NULL, __upsert boolean NOT NULL, {stageColumns}) ON COMMIT DROP", ct, tx).ConfigureAwait(false);

        var copy = $"COPY pg_temp.{stage} (__seq, __upsert, {string.Join(", ", types.Select((_, i) => S(i)))}) FROM STDIN (FORMAT BINARY)";
        var encoder = new PostgresCopyEncoder(types, keyIndexes, staging: true);
        await CopyAsync(conn, copy, package, table, encoder, ct).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn, $"ANALYZE pg_temp.{stage}", ct, tx).ConfigureAwait(false);

        // A key appearing twice in one package: its last row wins, as if applied row by row. Packages rarely hold
        // a key twice, so a read-only check (one hash aggregate) decides whether the costlier self-join delete runs.
        var keyList = string.Join(", ", keyIndexes.Select(S));
        var hasDuplicates = (bool)(await PostgresConnections.ScalarAsync(conn,
            $"SELECT EXISTS (SELECT 1 FROM pg_temp.{stage} GROUP BY {keyList} HAVING count(*) > 1)", ct, tx).ConfigureAwait(false))!;
        if (hasDuplicates)
            await PostgresConnections.ExecuteAsync(conn,
                $"DELETE FROM pg_temp.{stage} a USING pg_temp.{stage} b WHERE {KeyMatch(columns, keyIndexes, "a", "b")} AND a.__seq < b.__seq", ct, tx)
                .ConfigureAwait(false);
        return (encoder.Upserts, encoder.Deletes);
    }

    /// <summary>
    /// Writes the staged upsert rows into the channel table in one pass (their keys are unique after
    /// <see cref="StageAsync"/>, which ON CONFLICT requires). It sets only the package's columns, so channel-only
    /// columns keep their values.
    /// </summary>
    private static async Task UpsertStagedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string quoted, IReadOnlyList<ColumnSchema> columns,
        int[] keyIndexes, LogicalType[] types, string stage, bool oneStatement, CancellationToken ct)
    {
        var d = SqlDialect.PostgreSql;
        var nonKeyIndexes = Enumerable.Range(0, columns.Count).Where(i => !keyIndexes.Contains(i)).ToArray();
        var targetList = string.Join(", ", columns.Select(c => d.Quote(c.Name)));
        var sourceList = string.Join(", ", columns.Select((c, i) => PostgresTypes.WriteExpression(c, types[i], "s." + S(i))));
        if (oneStatement)
        {
            var conflict = $"ON CONFLICT ({string.Join(", ", keyIndexes.Select(k => d.Quote(columns[k].Name)))}) DO " + (nonKeyIndexes.Length == 0
                ? "NOTHING"
                : "UPDATE SET " + string.Join(", ", nonKeyIndexes.Select(i => $"{d.Quote(columns[i].Name)} = excluded.{d.Quote(columns[i].Name)}")));
            await PostgresConnections.ExecuteAsync(conn,
                $"INSERT INTO {quoted} ({targetList}) SELECT {sourceList} FROM pg_temp.{stage} s WHERE s.__upsert {conflict}", ct, tx).ConfigureAwait(false);
            return;
        }
        if (nonKeyIndexes.Length > 0)
        {
            var set = string.Join(", ", nonKeyIndexes.Select(i =>
                $"{d.Quote(columns[i].Name)} = {PostgresTypes.WriteExpression(columns[i], types[i], "s." + S(i))}"));
            await PostgresConnections.ExecuteAsync(conn,
                $"UPDATE {quoted} t SET {set} FROM pg_temp.{stage} s WHERE s.__upsert AND {KeyMatch(columns, keyIndexes, "t", "s")}", ct, tx)
                .ConfigureAwait(false);
        }
        await PostgresConnections.ExecuteAsync(conn,
            $"INSERT INTO {quoted} ({targetList}) SELECT {sourceList} FROM pg_temp.{stage} s " +
            $"WHERE s.__upsert AND NOT EXISTS (SELECT 1 FROM {quoted} t WHERE {KeyMatch(columns, keyIndexes, "t", "s")})",
            ct, tx).ConfigureAwait(false);
    }

    /// <summary>
    /// The fast path for rows whose keys the channel table does not hold yet: COPY straight into it, with no staging
    /// table and no upsert. Tried when the table is empty (seeding, a full sync, or a table the package's
    /// delete-existing list just emptied), and for a part of a full sync into a filled table (part 2.. of a full
    /// sync carries new keys) unless the package's first key is already there (a full sync without delete-existing
    /// over a filled channel database would fail late, after sending every row). Taken only when every package
    /// column has exactly the staging type (so binary COPY needs no cast) and the table's primary key is the
    /// package key. It is abandoned (rolled back to a savepoint; null is returned and the staging path runs) at the
    /// first delete row, or when the primary key rejects a key the table already holds or the package holds twice:
    /// both need the upsert and last-row-wins rules of the staging path. Any other error is the package's error.
    /// </summary>
    private static async Task<long?> TryCopyDirectAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PackageReader package,
        PackageTable table, IReadOnlyList<ColumnSchema> columns, int[] keyIndexes, LogicalType[] types, string quoted, bool fullSync, CancellationToken ct)
    {
        for (var i = 0; i < columns.Count; i++)
            if (!PostgresTypes.IsExactly(columns[i].NativeType, types[i])) return null;
        // SHARE ROW EXCLUSIVE keeps other writers out until commit, so what the checks below see stays true while the COPY runs.
        await PostgresConnections.ExecuteAsync(conn, $"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE", ct, tx).ConfigureAwait(false);
        if ((bool)(await PostgresConnections.ScalarAsync(conn, $"SELECT EXISTS (SELECT 1 FROM {quoted})", ct, tx).ConfigureAwait(false))!
            && (!fullSync || await FirstKeyIsPresentAsync(conn, tx, package, table, columns, keyIndexes, types, quoted, ct).ConfigureAwait(false)))
            return null;

        const string savepoint = "async_direct_copy";
        await tx.SaveAsync(savepoint, ct).ConfigureAwait(false);
        var d = SqlDialect.PostgreSql;
        var copy = $"COPY {quoted} ({string.Join(", ", columns.Select(c => d.Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)";
        var encoder = new PostgresCopyEncoder(types, keyIndexes, staging: false);
        bool abandoned;
        try
        {
            abandoned = !await CopyAsync(conn, copy, package, table, encoder, ct).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            abandoned = true;
        }
        if (abandoned)
        {
            await tx.RollbackAsync(savepoint, ct).ConfigureAwait(false);
            return null;
        }
        await tx.ReleaseAsync(savepoint, ct).ConfigureAwait(false);
        return encoder.Upserts;
    }

    /// <summary>Whether the package's first row is a delete or has a key that the channel table already holds.</summary>
    private static async Task<bool> FirstKeyIsPresentAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PackageReader package,
        PackageTable table, IReadOnlyList<ColumnSchema> columns, int[] keyIndexes, LogicalType[] types, string quoted, CancellationToken ct)
    {
        PackageRow? first = null;
        await foreach (var row in package.ReadRowsAsync(table, ct).ConfigureAwait(false)) { first = row; break; }
        if (first is not { } row0) return false;
        if (!row0.Upsert) return true;
        var d = SqlDialect.PostgreSql;
        await using var cmd = new NpgsqlCommand(
            $"SELECT EXISTS (SELECT 1 FROM {quoted} WHERE {string.Join(" AND ", keyIndexes.Select((k, i) => $"{d.Quote(columns[k].Name)} = @k{i}"))})",
            conn, tx);
        for (var i = 0; i < keyIndexes.Length; i++)
        {
            var k = keyIndexes[i];
            cmd.Parameters.Add(new NpgsqlParameter("k" + i, PostgresTypes.ToNpgsql(types[k]))
            {
                Value = PostgresTypes.ToProviderValue(row0.Values[k], types[k]),
            });
        }
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Encoded bytes handed to the COPY stream at a time.</summary>
    private const int CopyChunkBytes = 1 << 16;

    /// <summary>
    /// One binary COPY of a table's rows, encoded by <paramref name="encoder"/> straight from the package's lines
    /// into the raw COPY stream. False when the encoder stopped at a delete row (the COPY is cancelled and wrote
    /// nothing). PostgreSQL's own errors (a unique violation, a value too long for its column) come as
    /// PostgresException when the COPY completes; any error cancels the COPY before it propagates.
    /// </summary>
    private static async Task<bool> CopyAsync(NpgsqlConnection conn, string copy, PackageReader package, PackageTable table,
        PostgresCopyEncoder encoder, CancellationToken ct)
    {
        using var lines = package.OpenLines(table);
        var stream = await conn.BeginRawBinaryCopyAsync(copy, ct).ConfigureAwait(false);
        try
        {
            encoder.WriteHeader();
            while (await lines.FillAsync(ct).ConfigureAwait(false))
            {
                if (!encoder.EncodeAvailable(lines))
                {
                    await stream.CancelAsync().ConfigureAwait(false);
                    return false;
                }
                if (encoder.Pending.Length < CopyChunkBytes) continue;
                await stream.WriteAsync(encoder.Pending, ct).ConfigureAwait(false);
                encoder.ClearPending();
            }
            encoder.WriteTrailer();
            await stream.WriteAsync(encoder.Pending, ct).ConfigureAwait(false);
            encoder.ClearPending();
        }
        catch
        {
            await CancelQuietlyAsync(stream).ConfigureAwait(false);
            throw;
        }
        await stream.DisposeAsync().ConfigureAwait(false); // CopyDone: the COPY completes or fails here
        return true;
    }

    /// <summary>Ends a COPY that failed on our side; the first error is the one that matters, so later ones are dropped.</summary>
    private static async Task CancelQuietlyAsync(NpgsqlRawCopyStream stream)
    {
        try { await stream.CancelAsync().ConfigureAwait(false); }
        catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException or IOException) { }
    }

}
