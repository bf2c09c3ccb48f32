using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Upload;

/// <summary>One upload job at one store: plan or send (see <see cref="UploadSender"/>).</summary>
internal sealed class UploadRun(EngineContext context, IUploadHq hq, string group, string db,
    ResolvedConnection connection, UploadJobSettings job, ILogger log)
{
    private AsyncServerConfiguration Config => context.Configuration;

    public Func<string, CancellationToken, Task>? Checkpoint { get; init; }

    public async Task<UploadRunResult> PlanAsync(CancellationToken ct)
    {
        var tables = await ResolveTablesAsync(ct).ConfigureAwait(false);
        var cursors = await CursorsAsync(tables, ct).ConfigureAwait(false);
        await using var reader = new UploadChannelReader(connection);
        await reader.BeginAsync(tables, ct).ConfigureAwait(false);
        var plans = await ReadRangesAsync(reader, tables, cursors, ct).ConfigureAwait(false);
        var rows = plans.Sum(p => p.Rows);
        return new UploadRunResult(db, job.Id, null, null, rows, plans, null, rows == 0 ? "nothing to send" : null);
    }

    public async Task<UploadRunResult> SendAsync(CancellationToken ct)
    {
        await SweepAsync(ct).ConfigureAwait(false);
        var tables = await ResolveTablesAsync(ct).ConfigureAwait(false);
        var cursors = await CursorsAsync(tables, ct).ConfigureAwait(false);
        await using var reader = new UploadChannelReader(connection);
        await reader.BeginAsync(tables, ct).ConfigureAwait(false);
        IReadOnlyList<UploadTablePlan> plans;
        try
        {
            plans = await ReadRangesAsync(reader, tables, cursors, ct).ConfigureAwait(false);
        }
        catch (AsyncServerException ex) when (ex.ErrorId == ErrorIds.CounterRegression)
        {
            // Recorded, so the operator sees it beside the store's other sessions; the exception still reaches the caller.
            var failed = await hq.StartAsync(Draft(tables.Select(t => Range(t, cursors[t.Subjob.Id], cursors[t.Subjob.Id], 0)).ToList()), ct)
                .ConfigureAwait(false);
            await hq.FailAsync(failed, ex.Message, ct).ConfigureAwait(false);
            throw;
        }
        var rows = plans.Sum(p => p.Rows);
        if (rows == 0) return new UploadRunResult(db, job.Id, null, null, 0, plans, null, "nothing to send");
        await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.SendRead, ct).ConfigureAwait(false);
        var id = await hq.StartAsync(Draft(plans), ct).ConfigureAwait(false);
        await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.SendStarted, ct).ConfigureAwait(false);
        return await WriteAndDeliverAsync(id, reader, tables, plans, ct).ConfigureAwait(false);
    }

    private async Task<UploadRunResult> WriteAndDeliverAsync(long id, UploadChannelReader reader, IReadOnlyList<UploadChannelTable> tables,
        IReadOnlyList<UploadTablePlan> plans, CancellationToken ct)
    {
        var name = PackageFiles.Name(Config.Partition, job.Id, db, id);
        var temp = UploadTempFolders.Create(db); // a killed send's folder is removed by the next send of this store
        try
        {
            var info = await WritePackageAsync(id, Path.Combine(temp, name), reader, tables, plans, ct).ConfigureAwait(false);
            await reader.DisposeAsync().ConfigureAwait(false); // the store's writers go on while the package travels
            await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.SendWritten, ct).ConfigureAwait(false);
            var recorded = await hq.DeliverAsync(id, info.Path, name, info.Size, info.Sha256, info.RowCount, ct).ConfigureAwait(false);
            await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.SendDelivered, ct).ConfigureAwait(false);
            var message = recorded ? null : "the session was canceled while it was being sent; HQ will not apply it";
            log.LogInformation("Upload session {Id}: {Rows} row(s) of job {Job} from {Db} delivered to {Destination}.", id, info.RowCount, job.Id, db,
                hq.Destination);
            return new UploadRunResult(db, job.Id, id, recorded ? UploadStatus.Uploaded : UploadStatus.Canceled, info.RowCount, plans, name, message);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Not when the run was stopped (its caller canceled, or its lease was lost): the session stays Started and the next
            // run's sweep makes it UploadFailed; a run that may no longer be the sender writes nothing.
            var message = $"Upload session {id} of channel database {db} failed: {ex.Message}. The rows are sent again by the next run.";
            await hq.FailAsync(id, message, CancellationToken.None).ConfigureAwait(false);
            throw ex as AsyncServerException ?? new AsyncServerException(ErrorIds.UploadFailed, ErrorKind.WriteError, message, id, ex);
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { /* a temp folder: the system cleans it */ }
        }
    }

    private async Task<PackageFileInfo> WritePackageAsync(long id, string path, UploadChannelReader reader, IReadOnlyList<UploadChannelTable> tables,
        IReadOnlyList<UploadTablePlan> plans, CancellationToken ct)
    {
        var manifest = new PackageManifest
        {
            Direction = "Upload", SessionId = id, Partition = Config.Partition, JobId = job.Id, DataGroup = group, ChannelDatabases = [db],
            InstanceId = context.InstanceId, CreatedAt = context.Time.GetUtcNow(),
        };
        await using var writer = PackageWriter.Create(manifest, path);
        foreach (var (table, plan) in tables.Zip(plans))
        {
            if (plan.Rows == 0) continue;
            writer.BeginTable(table.ToPackageTable(plan.FromCounter, plan.ToCounter));
            await reader.WriteRowsAsync(table, plan.FromCounter, plan.ToCounter, writer, ct).ConfigureAwait(false);
            writer.EndTable();
        }
        return await writer.CompleteAsync(ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<UploadChannelTable>> ResolveTablesAsync(CancellationToken ct)
    {
        await using var target = EngineContext.OpenChannelTarget(connection);
        var tables = new List<UploadChannelTable>();
        foreach (var id in job.Subjobs)
        {
            var subjob = Config.FindUploadSubjob(id)!;
            tables.Add(UploadChannelTable.Resolve(subjob, await target.DescribeTableAsync(subjob.ChannelTable, ct).ConfigureAwait(false), db));
        }
        return tables;
    }

    private async Task<Dictionary<string, long>> CursorsAsync(IReadOnlyList<UploadChannelTable> tables, CancellationToken ct)
    {
        var cursors = await hq.CursorsAsync(Config.Partition, db, job.Id, tables.Select(t => t.Subjob.Id).ToList(), ct).ConfigureAwait(false);
        return tables.ToDictionary(t => t.Subjob.Id, t => cursors.GetValueOrDefault(t.Subjob.Id), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Per table: (cursor, highest counter]; a highest counter below the cursor is a counter regression.</summary>
    private async Task<IReadOnlyList<UploadTablePlan>> ReadRangesAsync(UploadChannelReader reader, IReadOnlyList<UploadChannelTable> tables,
        Dictionary<string, long> cursors, CancellationToken ct)
    {
        var plans = new List<UploadTablePlan>();
        foreach (var t in tables)
        {
            var from = cursors[t.Subjob.Id];
            var max = await reader.MaxCounterAsync(t, ct).ConfigureAwait(false);
            if (max < from)
                throw new AsyncServerException(ErrorIds.CounterRegression, ErrorKind.InvalidData,
                    $"Counter regression at channel database {db}: the highest {t.Counter.Name} of {t.Table.Name} is {max}, but HQ has acknowledged " +
                    $"(or this store already sent) up to {from}. Was the store restored from a backup? Nothing was sent and nothing at HQ was " +
                    "overwritten; once the store's rows are repaired (its counter above that value again), send again.", db);
            plans.Add(Range(t, from, max, max == from ? 0 : await reader.CountAsync(t, from, max, ct).ConfigureAwait(false)));
        }
        return plans;
    }

    private UploadTablePlan Range(UploadChannelTable t, long from, long to, long rows)
        => new(job.Id, t.Subjob.Id, t.Table.Name, t.Subjob.EffectiveHqTable, from, to, rows);

    private UploadDraft Draft(IReadOnlyList<UploadTablePlan> plans) => new(Config.Partition, job.Id, group, db, context.InstanceId,
        plans.Select(p => new UploadTableRange(p.Subjob, p.ChannelTable, p.HqTable, p.FromCounter, p.ToCounter, p.Rows)).ToList());

    private Task SweepAsync(CancellationToken ct) => hq.SweepAsync(Config.Partition, db, job.Id, ct);
}
