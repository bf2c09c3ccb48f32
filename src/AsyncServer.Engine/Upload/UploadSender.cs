using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Upload;

/// <summary>
/// The store side of upload (Send-AsyncPackage): for one channel database, every upload job's rows above the counter HQ
/// acknowledged (or the store already sent on a live session), read in one transaction, written as one package per job,
/// recorded as an upload session and handed to the transport. One sender per channel database at a time (a lease).
/// </summary>
public sealed class UploadSender(EngineContext context, Func<IUploadHq> openHq)
{
    private readonly ILogger _log = context.CreateLogger<UploadSender>();
    private AsyncServerConfiguration Config => context.Configuration;

    /// <summary>The store holds HQ's configuration and reaches the message database; packages go through <paramref name="transport"/>.</summary>
    public UploadSender(EngineContext context, IUploadTransport transport) : this(context, () => new DirectUploadHq(context, transport)) { }

    /// <summary>Called at each <see cref="UploadCheckpoints"/> point of a send (tests stop the process there).</summary>
    internal Func<string, CancellationToken, Task>? Checkpoint { get; init; }

    /// <summary>-WhatIf: the rows per table that would go, changing nothing.</summary>
    public Task<IReadOnlyList<UploadRunResult>> PlanAsync(string channelDatabase, IReadOnlyList<string>? jobs, CancellationToken ct)
        => RunAsync(channelDatabase, jobs, plan: true, ct);

    public Task<IReadOnlyList<UploadRunResult>> SendAsync(string channelDatabase, IReadOnlyList<string>? jobs, CancellationToken ct)
        => RunAsync(channelDatabase, jobs, plan: false, ct);

    private async Task<IReadOnlyList<UploadRunResult>> RunAsync(string channelDatabase, IReadOnlyList<string>? jobs, bool plan, CancellationToken ct)
    {
        var (group, db, connection) = ResolveStore(channelDatabase);
        var selected = SelectJobs(jobs);
        await using var hq = openHq();
        UploadRun Run(UploadJobSettings job) => new(context, hq, group.Id, db.Id, connection, job, _log) { Checkpoint = Checkpoint };
        var results = new List<UploadRunResult>();
        if (plan)
        {
            foreach (var job in selected) results.Add(await Run(job).PlanAsync(ct).ConfigureAwait(false));
            return results;
        }
        var claim = await hq.ClaimAsync(Config.Partition, db.Id, ct).ConfigureAwait(false);
        await using (claim)
        {
            try
            {
                var stale = UploadTempFolders.RemoveStale(db.Id);
                if (stale > 0) _log.LogInformation("Removed {Count} temporary folder(s) of killed sends from {Db}.", stale, db.Id);
                foreach (var job in selected) results.Add(await Run(job).SendAsync(claim.Token).ConfigureAwait(false));
                await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.SendRecorded, claim.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (claim.Lost && !ct.IsCancellationRequested)
            {
                // A send whose lease was taken over (renewal refused, or failing for a whole lease) stops here, its session left
                // Started for the new holder's sweep: no package is recorded and no failure is written by a run that is no longer the sender.
                throw UploadLease.Lost($"Sending from channel database {db.Id}", db.Id, ex);
            }
        }
        return results;
    }

    private (DataGroupSettings Group, ChannelDatabaseSettings Db, ResolvedConnection Connection) ResolveStore(string channelDatabase)
    {
        var (group, db) = Config.FindChannelDatabase(channelDatabase) ?? throw new AsyncServerException(ErrorIds.ChannelDatabaseNotFound,
            ErrorKind.ObjectNotFound, $"Channel database '{channelDatabase}' is not defined in any data group of the configuration.", channelDatabase);
        if (db.Connection is null || string.IsNullOrWhiteSpace(db.Connection.ConnectionString))
            throw new AsyncServerException(ErrorIds.ChannelConnectionMissing, ErrorKind.InvalidArgument,
                $"Channel database '{db.Id}' has no connection: set its connection in $.dataGroups[?(@.id == '{group.Id}')].channelDatabases.", db.Id);
        return (group, db, ResolvedConnection.Resolve(db.Connection, $"channel database {db.Id}.connection", Config.BaseDirectory, context.Credential));
    }

    private List<UploadJobSettings> SelectJobs(IReadOnlyList<string>? jobs)
    {
        if (jobs is null || jobs.Count == 0) return Config.UploadJobs.ToList();
        return jobs.Select(j => Config.FindUploadJob(j) ?? throw new AsyncServerException(ErrorIds.JobNotFound, ErrorKind.ObjectNotFound,
            $"Upload job '{j}' is not defined in $.uploadJobs.", j)).ToList();
    }
}
