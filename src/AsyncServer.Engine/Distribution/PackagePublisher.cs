using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Distribution;

/// <summary>
/// Publish-AsyncPackage: takes a staged package (left by <c>Start-AsyncDistribution -NoPublish</c>, possibly on
/// another instance sharing this message database), proves it against its manifest, its session row and the
/// configuration, moves it atomically into the download folder and makes its session Available.
/// </summary>
public sealed class PackagePublisher(EngineContext context)
{
    private readonly ILogger _log = context.CreateLogger<PackagePublisher>();
    private AsyncServerConfiguration Config => context.Configuration;

    /// <summary>Checks everything and returns the session it would publish, without changing anything.</summary>
    public async Task<DownloadSessionRecord> ValidateAsync(string packagePath, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(packagePath);
        if (!File.Exists(full))
            throw new AsyncServerException(ErrorIds.PackageNotFound, ErrorKind.ObjectNotFound, $"Package '{full}' does not exist.", full);

        PackageManifest manifest;
        try
        {
            using var reader = PackageReader.Open(full);
            await reader.VerifyAsync(cancellationToken).ConfigureAwait(false);
            manifest = reader.Manifest;
        }
        catch (PackageFormatException ex)
        {
            throw Invalid(full, ex.Message);
        }

        CheckAgainstConfiguration(full, manifest);

        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var found = await store.QuerySessionsAsync(new SessionQuery { Ids = [manifest.SessionId] }, cancellationToken).ConfigureAwait(false);
        var session = (found.Count > 0 ? found[0] : null)
            ?? throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound,
                $"Package '{full}' names session {manifest.SessionId}, which this message database does not have.", manifest.SessionId);
        if (!session.Staged || session.Status != SessionStatus.Started)
            throw new AsyncServerException(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation,
                $"Session {session.Id} is {session.Status}{(session.Staged ? "" : ", not staged")}; only staged sessions can be published.", session.Id);
        if (session.JobId != manifest.JobId || session.DataGroup != manifest.DataGroup || session.ToVersion != manifest.ToVersion
            || session.FromVersion != manifest.FromVersion)
            throw Invalid(full, $"its manifest (job {manifest.JobId}, data group {manifest.DataGroup}, " +
                $"versions {manifest.FromVersion}..{manifest.ToVersion}) disagrees with session {session.Id}");
        var size = new FileInfo(full).Length;
        var sha = await FileHash.Sha256Async(full, cancellationToken).ConfigureAwait(false);
        if (session.PackageSha256 is not null && (sha != session.PackageSha256 || size != session.PackageSize))
            throw new AsyncServerException(ErrorIds.PackageMismatch, ErrorKind.InvalidData,
                $"Package '{full}' is not the one recorded for session {session.Id}: SHA-256 {sha} ({size} bytes), " +
                $"recorded {session.PackageSha256} ({session.PackageSize} bytes).", full);
        return session;
    }

    public async Task<DownloadSessionRecord> PublishAsync(string packagePath, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(packagePath);
        var session = await ValidateAsync(full, cancellationToken).ConfigureAwait(false);
        var name = PackageFiles.Name(session.Partition, session.JobId, session.DataGroup, session.Id);
        var target = Path.Combine(Config.DownloadFolder, name);
        WorkingFolders.Prepare(Config, staging: false);
        if (!string.Equals(full, target, StringComparison.Ordinal))
        {
            // The download folder never shows a partial file, even when the staging folder is on another volume,
            // nor a file other than the one recorded (it could have changed since it was validated).
            var copy = await PackageTransfer.CopyAsync(full, target, session.PackageSize, session.PackageSha256, cancellationToken).ConfigureAwait(false);
            if (!copy.Matches)
                throw new AsyncServerException(ErrorIds.PackageMismatch, ErrorKind.InvalidData,
                    $"Package '{full}' changed while it was published: SHA-256 {copy.Sha256} ({copy.Size} bytes), " +
                    $"recorded {session.PackageSha256} ({session.PackageSize} bytes).", full);
        }

        var group = Config.FindDataGroup(session.DataGroup)!;
        var targets = session.RequestedChannelDatabases.Count > 0 ? session.RequestedChannelDatabases : group.ChannelDatabases.Select(d => d.Id).ToList();
        await using var store = context.OpenMessageStore();
        try
        {
            await store.PublishStagedSessionAsync(session.Id, name, targets, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (!string.Equals(full, target, StringComparison.Ordinal)) PackageFiles.TryDelete(target);
            throw;
        }
        if (!string.Equals(full, target, StringComparison.Ordinal)) File.Delete(full);
        _log.LogInformation("Published session {Id} as {File} for {Count} channel database(s).", session.Id, name, targets.Count);
        return (await store.QuerySessionsAsync(new SessionQuery { Ids = [session.Id] }, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>The manifest must name this partition, a configured job and data group, and only what the job's subjobs write.</summary>
    private void CheckAgainstConfiguration(string full, PackageManifest manifest)
    {
        if (!string.Equals(manifest.Partition, Config.Partition, StringComparison.OrdinalIgnoreCase))
            throw Invalid(full, $"it belongs to partition '{manifest.Partition}', this configuration to '{Config.Partition}'");
        var job = Config.FindJob(manifest.JobId) ?? throw Invalid(full, $"its job '{manifest.JobId}' is not in the configuration");
        if (Config.FindDataGroup(manifest.DataGroup) is null) throw Invalid(full, $"its data group '{manifest.DataGroup}' is not in the configuration");
        foreach (var table in manifest.Tables)
        {
            var subjob = job.Subjobs.Select(Config.FindSubjob)
                .FirstOrDefault(s => s is not null && string.Equals(s.Id, table.Subjob, StringComparison.OrdinalIgnoreCase));
            if (subjob is null) throw Invalid(full, $"table {table.ChannelTable} comes from subjob '{table.Subjob}', which job '{job.Id}' does not have");
            if (!string.Equals(subjob.EffectiveChannelTable, table.ChannelTable, StringComparison.OrdinalIgnoreCase))
                throw Invalid(full, $"subjob '{subjob.Id}' writes channel table {subjob.EffectiveChannelTable}, the package says {table.ChannelTable}");
            if (subjob.Fields.Count > 0)
            {
                var expected = subjob.Fields.Values.ToHashSet(StringComparer.OrdinalIgnoreCase);
                var extra = table.Columns.Select(c => c.Name).Where(c => !expected.Contains(c)).ToList();
                if (extra.Count > 0)
                    throw Invalid(full, $"table {table.ChannelTable} has columns {string.Join(", ", extra)} that subjob '{subjob.Id}' does not map");
            }
        }
    }

    private static AsyncServerException Invalid(string path, string why)
        => new(ErrorIds.PackageInvalid, ErrorKind.InvalidData, $"Package '{path}' is invalid: {why}.", path);
}
