using System.Globalization;
using AsyncServer.ChangeTracking;
using AsyncServer.Checks;
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

        var name = PackageFiles.Name(session.Partition, session.JobId, session.DataGroup, session.Id);
        var path = Path.Combine(Config.DownloadFolder, name);
        PackageFiles.TryDelete(path); // present but not the recorded file (damaged): replaced
        var header = new PackageHeader(session.Partition, session.JobId, session.DataGroup, session.Kind.ToString(), session.DeleteExisting,
            jobSubjobs.Select(s => s.ChannelTable).Distinct().ToList(), session.RequestedChannelDatabases, session.FromVersion, session.ToVersion,
            context.InstanceId);
        var parameters = group.ChannelDatabases.FirstOrDefault()?.Parameters ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // One part, as the session was (no limits): the sink asks for a session only once, and gets this one.
        var oneFile = new PackageLimitSettings { MaxRows = long.MaxValue, MaxBytes = long.MaxValue };
        PackageFileInfo info;
        await using (var sink = new PackageSink(Config.DownloadFolder, header, oneFile, context.Time, (_, _) => Task.FromResult(session.Id), session.Part))
        {
            await sink.WriteAsync(snapshot, jobSubjobs, parameters, session.FromVersion, null, ct).ConfigureAwait(false);
            info = (await sink.CompleteAsync(atLeastOne: true, ct).ConfigureAwait(false)).Single();
        }
        var package = new CompletedPackage(session.Id, info.RowCount, name, info.Size, info.Sha256, false);
        try
        {
            await store.ReplacePackageAsync(package, ct).ConfigureAwait(false);
        }
        catch
        {
            PackageFiles.TryDelete(path);
            throw;
        }
        _log.LogInformation("Session {Id} packaged again as {File}: {Rows} rows (changes since version {From} up to HQ version {Now}).",
            session.Id, name, info.RowCount, session.FromVersion?.ToString(CultureInfo.CurrentCulture) ?? "0", snapshot.CurrentVersion);
        return package;
    }

    private static AsyncServerException Failed(DownloadSessionRecord s, string why)
        => new(ErrorIds.RepackageFailed, ErrorKind.InvalidOperation, $"Session {s.Id} cannot be packaged again: {why}.", s.Id);
}
