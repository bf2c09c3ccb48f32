using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.Messaging;
using AsyncServer.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Service;

/// <summary>
/// The scheduler loop: starts each due piece of work (at most MaxParallelRuns at once, each once at a time),
/// computes its next due time when it ends, and on stop cancels the runs still going and waits for them, so
/// no session is left Started. A run that fails is logged and simply runs again when next due.
/// </summary>
public sealed class ScheduleWorker(
    ServiceOptions options, CmdletHost host, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ScheduleWorker> log)
    : BackgroundService
{
    private readonly Dictionary<ScheduledWork, (CmdletRun Run, Task Done)> _running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (and tell systemd it is ready) before the first run.
        await Task.Yield();
        List<ScheduledWork> work;
        try { work = await LoadWorkAsync(stoppingToken); }
        catch (Exception ex)
        {
            // Without a readable configuration there is nothing to run: stop with a failure code so systemd or the
            // service manager shows it (and restarts later, when the file may be fixed).
            log.LogCritical("Cannot start: {Message}", ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }
        if (work.Count == 0)
            log.LogWarning("Nothing to run: no active schedule with a recurrence{Filter} in {Configuration}, and no client.",
                options.Schedules.Count > 0 ? " among " + string.Join(", ", options.Schedules) : "", options.ConfigurationPath);
        foreach (var w in work)
            log.LogInformation("{Work}: {Recurrence}, next due {NextDue:u}.", w.Name, w.Recurrence, w.NextDue);

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                foreach (var w in work.Where(w => !_running.ContainsKey(w) && w.NextDue <= now).OrderBy(w => w.NextDue).ToList())
                {
                    if (_running.Count >= options.MaxParallelRuns) break;
                    CmdletRun run;
                    try { run = host.Start(w.Name, w.Command, w.Parameters()); }
                    catch (Exception ex)
                    {
                        // Not even started (PowerShell could not take the command): like a failed run, try again when next due.
                        log.LogError("{Work}: could not start: {Message} It runs again when next due.", w.Name, ex.Message);
                        w.NextDue = w.Recurrence.NextDue(now, now);
                        continue;
                    }
                    _running[w] = (run, FinishAsync(w, run, now));
                }

                var idle = work.Where(w => !_running.ContainsKey(w) && w.NextDue is not null).Select(w => w.NextDue!.Value).ToList();
                var wait = idle.Count == 0 || _running.Count >= options.MaxParallelRuns ? TimeSpan.FromHours(1) : idle.Min() - time.GetUtcNow();
                wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait;
                // Wake at the next due time, when a run ends, or on stop; the timer is dropped when something else wakes us.
                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    var delay = Task.Delay(wait, time, wake.Token);
                    await Task.WhenAny(_running.Values.Select(r => r.Done).Append(delay));
                    wake.Cancel();
                }
                foreach (var done in _running.Where(r => r.Value.Done.IsCompleted).Select(r => r.Key).ToList())
                    _running.Remove(done);
            }
        }
        finally
        {
            await StopRunsAsync();
        }
    }

    /// <summary>Stops what still runs and waits until every run has recorded its outcome.</summary>
    private async Task StopRunsAsync()
    {
        var live = _running.Where(r => !r.Value.Done.IsCompleted).ToList();
        if (live.Count == 0) return;
        log.LogInformation("Stopping: canceling {Count} run(s): {Runs}.", live.Count, string.Join(", ", live.Select(r => r.Key.Name)));
        await Task.WhenAll(live.Select(r => r.Value.Run.StopAsync()));
        await Task.WhenAll(live.Select(r => r.Value.Done));
        _running.Clear();
    }

    private async Task FinishAsync(ScheduledWork w, CmdletRun run, DateTimeOffset started)
    {
        log.LogInformation("{Work}: run started.", w.Name);
        try
        {
            var output = await run.Completion;
            if (run.HadErrors)
                log.LogError("{Work}: run finished with errors (see above); it runs again when next due.", w.Name);
            else
                log.LogInformation("{Work}: run succeeded: {Summary}.", w.Name, Summarize(output));
        }
        catch (PipelineStoppedException)
        {
            log.LogWarning("{Work}: run canceled because the service is stopping.", w.Name);
        }
        catch (Exception ex)
        {
            var id = ex is IContainsErrorRecord { ErrorRecord: { } record } ? record.FullyQualifiedErrorId : ex.GetType().Name;
            log.LogError("{Work}: run failed: {ErrorId}: {Message} It runs again when next due.", w.Name, id, ex.Message);
        }
        finally
        {
            run.Dispose();
            w.LastStart = started;
            w.NextDue = w.Recurrence.NextDue(started, time.GetUtcNow());
            log.LogInformation("{Work}: next due {NextDue:u}.", w.Name, w.NextDue);
        }
    }

    private static string Summarize(IEnumerable<PSObject> output)
    {
        var sessions = output.Select(o => o.BaseObject).OfType<DownloadSession>().ToList();
        if (sessions.Count == 0) return $"{output.Count()} object(s)";
        var ids = sessions.Select(s => s.Id).Distinct().Count();
        return $"{ids} session(s): " + string.Join(", ", sessions.DistinctBy(s => s.Id).GroupBy(s => s.Status).Select(g => $"{g.Count()} {g.Key}"));
    }

    /// <summary>The schedules (with their last run from the message database, through Get-AsyncSchedule) and the client.</summary>
    private async Task<List<ScheduledWork>> LoadWorkAsync(CancellationToken ct)
    {
        var work = new List<ScheduledWork>();
        var now = time.GetUtcNow();
        if (options.Distributes)
        {
            var config = ConfigurationLoader.Load(options.ConfigurationPath, ConfigurationOrigin.ServiceOption);
            foreach (var name in options.Schedules.Where(n => config.FindSchedule(n) is null))
                throw new ArgumentException(
                    $"--schedules names '{name}', which is not defined in the configuration's $.schedules ({options.ConfigurationPath}).");
            var chosen = config.Schedules
                .Where(s => options.Schedules.Count == 0 || options.Schedules.Contains(s.Name, StringComparer.OrdinalIgnoreCase))
                .ToList();
            foreach (var s in chosen.Where(s => !s.Active || s.Recurrence is null))
                log.LogInformation("Schedule {Schedule} is {Why}; the service leaves it alone.",
                    s.Name, s.Active ? "run on demand only (no recurrence)" : "inactive");
            var lastRuns = await LastRunsAsync(ct);
            foreach (var s in chosen.Where(s => s.Active && s.Recurrence is not null))
            {
                var recurrence = Recurrence.Parse(s.Recurrence!, s.Name);
                var last = lastRuns.GetValueOrDefault(s.Name);
                var parameters = new Dictionary<string, object> { ["Schedule"] = new[] { s.Name }, ["ConfigurationPath"] = options.ConfigurationPath };
                if (options.InstanceId is not null) parameters["InstanceId"] = options.InstanceId;
                work.Add(new ScheduledWork
                {
                    Name = "Schedule " + s.Name, Command = "Start-AsyncDistribution", Parameters = () => parameters, Recurrence = recurrence,
                    LastStart = last, NextDue = recurrence.NextDue(last, now),
                });
            }
        }
        if (options.Receives)
        {
            var interval = Recurrence.Parse(new RecurrenceSettings { Interval = options.ClientInterval.ToString("c") }, "client");
            // Receive-AsyncPackage is invoked by name, like any other cmdlet of the module.
            work.Add(new ScheduledWork
            {
                Name = "Client " + options.ClientChannelDatabase, Command = "Receive-AsyncPackage",
                Parameters = options.ClientEndpoint is { } endpoint
                    ? () => EndpointClientParameters.For(options.ClientChannelDatabase!, endpoint)
                    : () => new Dictionary<string, object>
                    {
                        ["ChannelDatabase"] = options.ClientChannelDatabase!, ["ConfigurationPath"] = options.ConfigurationPath,
                    },
                Recurrence = interval, NextDue = now,
            });
            if (ClientUpload(interval, now) is { } upload) work.Add(upload);
        }
        return work;
    }

    /// <summary>
    /// The store's upload (Send-AsyncPackage) on the client's interval (docs/upload.md): over the endpoint when the
    /// client uses it (the server says which upload jobs there are), else directly when the configuration has upload jobs.
    /// </summary>
    private ScheduledWork? ClientUpload(Recurrence interval, DateTimeOffset now)
    {
        if (options.ClientEndpoint is null
            && ConfigurationLoader.Load(options.ConfigurationPath, ConfigurationOrigin.ServiceOption).UploadJobs.Count == 0)
            return null;
        return new ScheduledWork
        {
            Name = "Upload " + options.ClientChannelDatabase, Command = "Send-AsyncPackage",
            Parameters = options.ClientEndpoint is { } endpoint
                ? () => EndpointClientParameters.ForSend(options.ClientChannelDatabase!, endpoint)
                : () => new Dictionary<string, object>
                {
                    ["ChannelDatabase"] = options.ClientChannelDatabase!, ["ConfigurationPath"] = options.ConfigurationPath,
                },
            Recurrence = interval, NextDue = now,
        };
    }

    private async Task<Dictionary<string, DateTimeOffset>> LastRunsAsync(CancellationToken ct)
    {
        var result = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        var run = host.Start("Get-AsyncSchedule", "Get-AsyncSchedule", new Dictionary<string, object> { ["ConfigurationPath"] = options.ConfigurationPath });
        try
        {
            using var cancel = ct.Register(() => _ = run.StopAsync());
            foreach (var status in (await run.Completion).Select(o => o.BaseObject).OfType<ScheduleStatus>())
                if (status.LastRun is { } last) result[status.Name] = last;
        }
        catch (Exception ex)
        {
            log.LogWarning("Could not read the schedules' last runs ({Message}); schedules with an interval run now.", ex.Message);
        }
        finally { run.Dispose(); }
        return result;
    }
}
