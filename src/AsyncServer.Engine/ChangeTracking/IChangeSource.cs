using System.Data.Common;
using AsyncServer.Data;

namespace AsyncServer.ChangeTracking;

/// <summary>
/// The HQ side: a database whose tables carry change tracking. One implementation per provider; all of
/// them pass tests/AsyncServer.Engine.Tests/Contracts/ChangeSourceContract.
/// </summary>
public interface IChangeSource : IAsyncDisposable
{
    DatabaseProvider Provider { get; }
    SqlDialect Dialect { get; }

    /// <summary>Reads a table's columns and primary key from the catalog; null when the table does not exist.</summary>
    Task<TableSchema?> DescribeTableAsync(string table, CancellationToken cancellationToken);

    /// <summary>
    /// The key columns of each index of a table (the primary key's included), in index order: Test-AsyncConfiguration
    /// checks that a filter's parent lookups have an index to seek (Configuration/ParentIndexChecker).
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<string>>> GetIndexesAsync(TableSchema table, CancellationToken cancellationToken);

    /// <summary>Turns change tracking on for these tables (idempotent). Existing history is kept.</summary>
    Task<IReadOnlyList<ChangeTrackingTableInfo>> EnableChangeTrackingAsync(IReadOnlyList<string> tables, ChangeTrackingOptions options,
        CancellationToken cancellationToken);

    /// <summary>Change tracking state of each table (enabled or not, minimum valid version).</summary>
    Task<IReadOnlyList<ChangeTrackingTableInfo>> GetChangeTrackingStateAsync(IReadOnlyList<string> tables, CancellationToken cancellationToken);

    /// <summary>Removes change history older than the retention and moves each table's minimum valid version past it.</summary>
    Task<IReadOnlyList<ChangeTrackingTableInfo>> CleanupChangeTrackingAsync(TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>Opens one consistent read snapshot: every read through it sees the same committed state.</summary>
    Task<IChangeSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken);
}

public sealed record ChangeTrackingOptions(TimeSpan Retention)
{
    public static ChangeTrackingOptions Default { get; } = new(TimeSpan.FromDays(14));

    /// <summary>
    /// Per HQ table, the columns whose values before each update and delete the tracking also keeps (a before-image
    /// log): a filter through this table as an EXISTS parent needs them to find the children that left the filter
    /// (<see cref="ParentFilters.BeforeImageColumns"/>). Keys are table names, case-insensitive.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> BeforeImages { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The before-image columns for <paramref name="table"/>, or none.</summary>
    public IReadOnlyList<string> BeforeImagesOf(string table)
        => BeforeImages.FirstOrDefault(kv =>
                string.Equals(Data.QualifiedName.Parse(kv.Key).Name, Data.QualifiedName.Parse(table).Name, StringComparison.OrdinalIgnoreCase))
            .Value ?? [];
}

/// <summary>Change tracking state of one HQ table.</summary>
public sealed record ChangeTrackingTableInfo(string Table, bool Enabled, long? MinValidVersion, long CurrentVersion, long TrackedRows);

/// <summary>
/// One consistent snapshot of HQ. <see cref="CurrentVersion"/> is the highest committed change version
/// visible in it; any change committed later gets a higher version (architecture rule 2).
/// </summary>
public interface IChangeSnapshot : IAsyncDisposable
{
    long CurrentVersion { get; }

    /// <summary>The oldest version from which changes to this table can still be computed.</summary>
    Task<long> GetMinValidVersionAsync(TableSchema table, CancellationToken cancellationToken);

    /// <summary>
    /// Streams rows for a subjob. Column 0 of the reader is an integer: 1 for an upsert, 0 for a delete
    /// by key. The following columns are <see cref="ExtractionQuery.Columns"/> in order; for deletes only
    /// the key columns are meaningful. A full read returns every row passing the filter as upserts; an
    /// incremental read returns each key changed in (from, CurrentVersion]: an upsert when the row exists
    /// and passes the filter, else a delete (so rows leaving a filter are removed at the channel too).
    /// </summary>
    Task<DbDataReader> ReadAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The same rows as <see cref="ReadAsync"/>, each encoded as a package line: what the distribution runner
    /// packages. A provider may read them in a cheaper wire format than its data reader (PostgreSQL: binary COPY);
    /// the lines are byte for byte those <see cref="Packaging.RowCodec"/> writes from <see cref="ReadAsync"/>.
    /// </summary>
    Task<Packaging.IPackageRowSource> ReadPackageRowsAsync(ExtractionQuery query, long? fromVersion, CancellationToken cancellationToken);
}

/// <summary>What to read for one subjob and one data group.</summary>
public sealed record ExtractionQuery(
    TableSchema Table,
    IReadOnlyList<ColumnSchema> Columns,
    IReadOnlyList<ColumnSchema> KeyColumns,
    Filtering.FilterExpression? Filter,
    IReadOnlyDictionary<string, string> Parameters,
    Func<string, TableSchema> SchemaOf);
