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
}

/// <summary>What applying one package did.</summary>
public sealed record ApplyResult(long SessionId, long Upserted, long Deleted, IReadOnlyList<string> Tables);
