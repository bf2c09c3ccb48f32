using AsyncServer.Data;
using AsyncServer.Packaging;

namespace AsyncServer.Client;

/// <summary>
/// A channel database (a store's database) that packages are applied to. One implementation per provider;
/// all pass the ChannelTarget contract suite. Each package is applied in one transaction: tables listed in
/// DeleteExistingTables are emptied first, then rows are upserted and deleted by key; any failure rolls
/// everything back, so the channel database is never half-applied. Applying a package twice changes nothing.
/// </summary>
public interface IChannelTarget : IAsyncDisposable
{
    DatabaseProvider Provider { get; }

    /// <summary>A channel table as the channel catalog describes it; null when it does not exist.</summary>
    Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken);

    /// <summary>Applies a package that <see cref="PackageReader.VerifyAsync"/> has accepted.</summary>
    Task<ApplyResult> ApplyAsync(PackageReader package, CancellationToken cancellationToken);

    /// <summary>
    /// The same, with <paramref name="guard"/> run inside the apply's transaction: once every table is checked (before any
    /// row is written) and once before the commit. The HQ side of upload applies a store's package this way, and advances
    /// the store's counters in the same transaction. A guard that throws rolls everything back.
    /// </summary>
    Task<ApplyResult> ApplyAsync(PackageReader package, IApplyGuard guard, CancellationToken cancellationToken);
}

/// <summary>
/// Work that must share a package's apply transaction (see <see cref="IChannelTarget.ApplyAsync(PackageReader, IApplyGuard, CancellationToken)"/>).
/// </summary>
public interface IApplyGuard
{
    /// <summary>Runs after the tables are checked, before any row is written; throwing rolls back.</summary>
    Task BeforeApplyAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Runs after every row is written, before the commit; throwing rolls back.</summary>
    Task BeforeCommitAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>What applying one package did.</summary>
public sealed record ApplyResult(long SessionId, long Upserted, long Deleted, IReadOnlyList<string> Tables);
