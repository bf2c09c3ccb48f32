using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Packaging;

namespace AsyncServer.Distribution;

/// <summary>What every part of one package set says about itself; the session id and part number vary per part.</summary>
public sealed record PackageHeader(string Partition, string JobId, string DataGroup, string Kind, bool DeleteExisting,
    IReadOnlyList<string> DeleteExistingTables, IReadOnlyList<string> ChannelDatabases, long? FromVersion, long ToVersion, string InstanceId)
{
    /// <summary>The manifest of one part; only the first part of a set deletes existing data.</summary>
    public PackageManifest Manifest(long sessionId, int part, DateTimeOffset createdAt) => new()
    {
        SessionId = sessionId, Partition = Partition, JobId = JobId, DataGroup = DataGroup, Kind = Kind,
        DeleteExisting = DeleteExisting && part == 1,
        DeleteExistingTables = DeleteExisting && part == 1 ? DeleteExistingTables.ToList() : [],
        ChannelDatabases = ChannelDatabases.ToList(),
        FromVersion = FromVersion, ToVersion = ToVersion, Part = part, InstanceId = InstanceId, CreatedAt = createdAt,
    };
}

/// <summary>Told about the sink's progress: a subjob started, a row was written.</summary>
public interface IPackingProgress
{
    void Subjob(int index, int count, string table);
    void Row();
}

/// <summary>
/// Streams a job's subjobs from an HQ snapshot into package files: one package at a time, a new part (and a
/// new session, through <c>newSession</c>) whenever the limits are reached, every part with its manifest.
/// Knows every file it wrote, so a failed run can delete them. Used by the distribution run and by
/// SessionRepackager (Restart-AsyncSession), so both write packages the same way.
/// </summary>
/// <param name="firstPart">The part number of the first package (a repackaged session keeps its part).</param>
public sealed class PackageSink(string folder, PackageHeader header, PackageLimitSettings limits, TimeProvider time,
    Func<int, CancellationToken, Task<long>> newSession, int firstPart = 1) : IAsyncDisposable
{
    private readonly List<PackageFileInfo> _completed = [];
    private readonly List<string> _written = [];
    private PackageWriter? _writer;

    /// <summary>The packages finished so far, in part order.</summary>
    public IReadOnlyList<PackageFileInfo> Completed => _completed;

    /// <summary>Every path this sink created or was about to create (temporary and final names).</summary>
    public IReadOnlyList<string> WrittenFiles => _written;

    /// <summary>Writes every row the snapshot holds for <paramref name="subjobs"/> since <paramref name="fromVersion"/> (every row when null).</summary>
    public async Task WriteAsync(IChangeSnapshot snapshot, IReadOnlyList<ResolvedSubjob> subjobs, IReadOnlyDictionary<string, string> parameters,
        long? fromVersion, IPackingProgress? progress, CancellationToken ct)
    {
        for (var i = 0; i < subjobs.Count; i++)
        {
            var subjob = subjobs[i];
            progress?.Subjob(i, subjobs.Count, subjob.Table.Name);
            var query = new ExtractionQuery(subjob.Table, subjob.Columns, subjob.KeyColumns, subjob.Filter, parameters, name => subjob.ParentTables[name]);
            await using var rows = await snapshot.ReadPackageRowsAsync(query, fromVersion, ct).ConfigureAwait(false);
            while (await rows.ReadAsync(ct).ConfigureAwait(false))
            {
                // The hot path stays synchronous: only a new part awaits (no task per row).
                if (_writer is null || PartIsFull(_writer)) await NextPartAsync(ct).ConfigureAwait(false);
                var writer = _writer!;
                if (!writer.HasOpenTable) writer.BeginTable(subjob.DescribeForPackage());
                writer.WriteRow(rows);
                progress?.Row();
            }
            _writer?.EndTable();
        }
    }

    /// <summary>
    /// Finishes the open part. With <paramref name="atLeastOne"/>, writes an empty package if no row came (a full
    /// sync must still empty the channel's tables).
    /// </summary>
    public async Task<IReadOnlyList<PackageFileInfo>> CompleteAsync(bool atLeastOne, CancellationToken ct)
    {
        if (_writer is null && _completed.Count == 0 && atLeastOne) await StartPartAsync(ct).ConfigureAwait(false);
        if (_writer is not null) await FinishPartAsync(ct).ConfigureAwait(false);
        return _completed;
    }

    private bool PartIsFull(PackageWriter writer) => writer.RowCount >= limits.MaxRows || writer.CompressedBytes >= limits.MaxBytes;

    private async Task NextPartAsync(CancellationToken ct)
    {
        if (_writer is not null) await FinishPartAsync(ct).ConfigureAwait(false);
        await StartPartAsync(ct).ConfigureAwait(false);
    }

    private async Task StartPartAsync(CancellationToken ct)
    {
        var part = firstPart + _completed.Count;
        var id = await newSession(part, ct).ConfigureAwait(false);
        var path = Path.Combine(folder, PackageFiles.Name(header.Partition, header.JobId, header.DataGroup, id));
        _written.Add(PackageWriter.TempPathFor(path));
        _written.Add(path);
        _writer = PackageWriter.Create(header.Manifest(id, part, time.GetUtcNow()), path);
    }

    private async Task FinishPartAsync(CancellationToken ct)
    {
        var writer = _writer!;
        _writer = null;
        try
        {
            _completed.Add(await writer.CompleteAsync(ct).ConfigureAwait(false));
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Abandons an unfinished part (its temporary file is deleted); finished parts stay until the caller deletes <see cref="WrittenFiles"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
    }
}
