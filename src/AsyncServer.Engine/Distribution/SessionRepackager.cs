using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Distribution;

/// <summary>
/// Packages a recorded session again when its file is gone (Restart-AsyncSession). The change window cannot be
/// replayed exactly once HQ has moved on, so the new package holds every change since the session's from
/// version up to now (a full session: every row), each row at its current state. Applying it is safe: upserts
/// and deletes by key are idempotent, and later sessions carry the same or newer state. If HQ no longer has the
/// history since the from version, it refuses and names the full sync to run instead.
/// </summary>
public sealed class SessionRepackager(EngineContext context)
{
    private readonly ILogger _log = context.CreateLogger<SessionRepackager>();
    private AsyncServerConfiguration Config => context.Configuration;

    public async Task<CompletedPackage> RepackageAsync(IMessageStore store, DownloadSessionRecord session, CancellationToken ct)
    {
        var job = Config.FindJob(session.JobId) ?? throw Failed(session, $"its job {session.JobId} is no longer in the configuration");
        var group = Config.FindDataGroup(session.DataGroup) ?? throw Failed(session, $"its data group {session.DataGroup} is no longer in the configuration");
        await using var hq = context.OpenChangeSource();
        var (subjobs, problems) = await CatalogChecker.ResolveAsync(Config, hq, job.Subjobs, ct).ConfigureAwait(false);
        if (problems.Count > 0) throw Failed(session, string.Join("; ", problems.Select(p => p.ToString())));
        await using var snapshot = await hq.OpenSnapshotAsync(ct).ConfigureAwait(false);
        var jobSubjobs = job.Subjobs.Select(id => subjobs[id]).ToList();
        if (session.FromVersion is { } from)
            foreach (var table in jobSubjobs.SelectMany(s => s.ParentTables.Values.Prepend(s.Table))) // a filter's parents: their changes are read too
                if (await snapshot.GetMinValidVersionAsync(table, ct).ConfigureAwait(false) > from)
                    throw Failed(session, $"HQ no longer holds the changes of {table.Name} since version {from}; " +
                        "cancel it and run Start-AsyncDistribution -FullSync -DeleteExistingData for the channel databases that need it");

        var name = DistributionRunner.PackageFileName(session.Partition, session.JobId, session.DataGroup, session.Id);
        var path = Path.Combine(Config.DownloadFolder, name);
        if (File.Exists(path)) File.Delete(path); // present but not the recorded file (damaged): replaced
        var manifest = new PackageManifest
        {
            SessionId = session.Id, Partition = session.Partition, JobId = session.JobId, DataGroup = session.DataGroup, Kind = session.Kind.ToString(),
            DeleteExisting = session.DeleteExisting,
            DeleteExistingTables = session.DeleteExisting ? jobSubjobs.Select(s => s.ChannelTable).Distinct().ToList() : [],
            ChannelDatabases = session.RequestedChannelDatabases.ToList(),
            FromVersion = session.FromVersion, ToVersion = session.ToVersion, Part = session.Part, InstanceId = context.InstanceId, CreatedAt = context.Time.GetUtcNow(),
        };
        var parameters = group.ChannelDatabases.FirstOrDefault()?.Parameters ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        PackageFileInfo info;
        await using (var writer = PackageWriter.Create(manifest, path))
        {
            foreach (var subjob in jobSubjobs)
            {
                var query = new ExtractionQuery(subjob.Table, subjob.Columns, subjob.KeyColumns, subjob.Filter, parameters, n => subjob.ParentTables[n]);
                await using var rows = await snapshot.ReadPackageRowsAsync(query, session.FromVersion, ct).ConfigureAwait(false);
                while (await rows.ReadAsync(ct).ConfigureAwait(false))
                {
                    if (!writer.HasOpenTable) writer.BeginTable(subjob.DescribeForPackage());
                    writer.WriteRow(rows);
                }
                writer.EndTable();
            }
            info = await writer.CompleteAsync(ct).ConfigureAwait(false);
        }
        var package = new CompletedPackage(session.Id, info.RowCount, name, info.Size, info.Sha256, false);
        try
        {
            await store.ReplacePackageAsync(package, ct).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        _log.LogInformation("Session {Id} packaged again as {File}: {Rows} rows (changes since version {From} up to HQ version {Now}).",
            session.Id, name, info.RowCount, session.FromVersion?.ToString() ?? "0", snapshot.CurrentVersion);
        return package;
    }

    private static AsyncServerException Failed(DownloadSessionRecord s, string why)
        => new(ErrorIds.RepackageFailed, ErrorKind.InvalidOperation, $"Session {s.Id} cannot be packaged again: {why}.", s.Id);
}
