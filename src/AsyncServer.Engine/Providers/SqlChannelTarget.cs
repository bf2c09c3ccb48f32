using System.Data.Common;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;

namespace AsyncServer.Providers;

/// <summary>
/// What every channel target does the same way: a package in one transaction; every table checked against the channel
/// catalog (or created from the manifest) before any row is touched, so a package that does not fit changes nothing;
/// the tables to empty emptied; each table applied by key; one commit. A package error becomes PackageInvalid, a
/// database error ApplyFailed, both naming the table. A provider brings its catalog check, its emptying and its apply.
/// </summary>
/// <typeparam name="TPlan">What the provider's check of one table yields for its apply.</typeparam>
public abstract class SqlChannelTarget<TPlan>(ResolvedConnection connection) : IChannelTarget
{
    protected ResolvedConnection Connection => connection;

    public abstract DatabaseProvider Provider { get; }

    public async Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken)
    {
        // A database that does not exist yet (a SQLite file) has no tables; the first package creates it.
        if (IsMissing) return null;
        await using var conn = await OpenAsync(create: false, cancellationToken).ConfigureAwait(false);
        return await DescribeAsync(conn, null, table, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the channel database certainly does not exist yet.</summary>
    protected virtual bool IsMissing => false;

    /// <param name="create">Applying may create the database (a SQLite file).</param>
    protected abstract Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken);

    /// <summary>A channel table as the channel catalog describes it; null when it does not exist.</summary>
    protected abstract Task<TableSchema?> DescribeAsync(DbConnection conn, DbTransaction? tx, string table, CancellationToken cancellationToken);

    protected virtual async Task<DbTransaction> BeginAsync(DbConnection conn, CancellationToken cancellationToken)
        => await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Checks a package table against its channel table, which is created from the manifest when missing.</summary>
    protected abstract Task<TPlan> PrepareAsync(ApplyStep step, PackageTable table);

    /// <summary>Empties a table the package's delete-existing list names; its name, or null when it does not exist.</summary>
    protected abstract Task<string?> EmptyAsync(ApplyStep step, string table);

    /// <param name="index">The table's place in the manifest (for names of staging tables).</param>
    protected abstract Task<(long Upserted, long Deleted)> ApplyTableAsync(ApplyStep step, PackageTable table, TPlan plan, int index);

    /// <summary>The channel table's name as results and messages show it.</summary>
    protected abstract string NameOf(TPlan plan);

    /// <summary>An error of the provider's database or driver, which fails the package (ApplyFailed).</summary>
    protected abstract bool IsDatabaseError(Exception exception);

    public Task<ApplyResult> ApplyAsync(PackageReader package, CancellationToken cancellationToken) => ApplyCoreAsync(package, null, cancellationToken);

    public Task<ApplyResult> ApplyAsync(PackageReader package, IApplyGuard guard, CancellationToken cancellationToken)
        => ApplyCoreAsync(package, guard, cancellationToken);

    private async Task<ApplyResult> ApplyCoreAsync(PackageReader package, IApplyGuard? guard, CancellationToken cancellationToken)
    {
        var manifest = package.Manifest;
        await using var conn = await OpenAsync(create: true, cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var step = new ApplyStep(conn, tx, package, cancellationToken);
        long upserted = 0, deleted = 0;
        var touched = new List<string>();
        try
        {
            var plans = new List<(PackageTable Table, TPlan Plan)>();
            foreach (var table in manifest.Tables)
            {
                step.Current = table.ChannelTable;
                plans.Add((table, await PrepareAsync(step, table).ConfigureAwait(false)));
            }
            if (guard is not null) await guard.BeforeApplyAsync(conn, tx, cancellationToken).ConfigureAwait(false);
            foreach (var name in manifest.DeleteExistingTables.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                step.Current = name;
                if (await EmptyAsync(step, name).ConfigureAwait(false) is { } emptied) touched.Add(emptied);
            }
            for (var i = 0; i < plans.Count; i++)
            {
                var (table, plan) = plans[i];
                step.Current = NameOf(plan);
                var (u, d) = await ApplyTableAsync(step, table, plan, i).ConfigureAwait(false);
                upserted += u;
                deleted += d;
                if (!touched.Contains(NameOf(plan), StringComparer.OrdinalIgnoreCase)) touched.Add(NameOf(plan));
            }
            if (guard is not null) await guard.BeforeCommitAsync(conn, tx, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PackageFormatException ex)
        {
            throw new AsyncServerException(ErrorIds.PackageInvalid, ErrorKind.InvalidData,
                $"The package of session {manifest.SessionId} is invalid at table '{step.Current}': {ex.Message}. Nothing was applied.",
                manifest.SessionId, ex);
        }
        catch (Exception ex) when (IsDatabaseError(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw new AsyncServerException(ErrorIds.ApplyFailed, ErrorKind.InvalidData,
                $"Applying session {manifest.SessionId} to channel database {connection.Display} failed at table '{step.Current}': {ex.Message}. " +
                "Nothing was applied.",
                manifest.SessionId, ex);
        }
        return new ApplyResult(manifest.SessionId, upserted, deleted, touched);
    }

    /// <summary>An existing channel table must have every column the package carries.</summary>
    protected static void RequireColumns(TableSchema channel, string name, PackageTable table, long sessionId)
    {
        var missing = table.Columns.Where(c => channel.Find(c.Name) is null).Select(c => c.Name).ToList();
        if (missing.Count > 0)
            throw new AsyncServerException(ErrorIds.ChannelTableMismatch, ErrorKind.InvalidData,
                $"Channel table {name} lacks column(s) {string.Join(", ", missing)} that the package of session {sessionId} carries; " +
                "add them to the channel table or change the subjob's field map. Nothing was applied.", name);
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>One package being applied: its connection and transaction, the package, and the table at work (for messages).</summary>
public sealed class ApplyStep(DbConnection connection, DbTransaction transaction, PackageReader package, CancellationToken cancellationToken)
{
    public DbConnection Connection => connection;
    public DbTransaction Transaction => transaction;
    public PackageReader Package => package;
    public CancellationToken CancellationToken => cancellationToken;
    public string Current { get; set; } = "";
}
