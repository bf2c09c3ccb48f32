using Xunit.Abstractions;
using AsyncServer.Configuration;
using AsyncServer.Messaging;
using AsyncServer.Samples;

namespace AsyncServer.Service.Tests;

/// <summary>The service as a real process on a real SQLite setup: it distributes on its own, and stops cleanly on SIGTERM.</summary>
public sealed class ServiceRunTests(ITestOutputHelper output)
{
    private static void EverySecond(AsyncServerConfiguration config, params ScheduleSettings[] extra)
    {
        config.Schedules =
        [
            new ScheduleSettings { Name = "Products-every-second", Jobs = ["1040", "1020"], DataGroups = ["USRT-Stores", "USMF-Stores"], Recurrence = new RecurrenceSettings { Interval = "00:00:01" } },
            new ScheduleSettings { Name = "Customers-every-second", Jobs = ["1010"], DataGroups = ["USRT-Stores"], Recurrence = new RecurrenceSettings { Interval = "00:00:01" } },
            // The service leaves alone what has no recurrence or is inactive.
            new ScheduleSettings { Name = "On-demand", Jobs = ["1070"], DataGroups = ["USRT-Stores"] },
            new ScheduleSettings { Name = "Switched-off", Active = false, Jobs = ["1070"], DataGroups = ["USMF-Stores"], Recurrence = new RecurrenceSettings { Interval = "00:00:01" } },
            .. extra,
        ];
    }

    [Fact]
    public async Task Distributes_on_a_one_second_recurrence_then_stops_cleanly_on_SIGTERM()
    {
        using var setup = await SampleSetup.CreateAsync("service-run", c => EverySecond(c));
        using var service = ServiceProcess.Start(setup.Folder, "--configuration-path", setup.ConfigurationPath, "--max-parallel-runs", "2");

        // Several distributions of each schedule, with HQ changing in between so later runs carry data.
        await service.WaitUntilAsync(async () => (await setup.SessionsAsync()).Count(s => s.JobId == "1040" && s.DataGroup == "USRT-Stores") >= 2, "two runs of job 1040");
        await SampleData.ChangeAsync(setup.Info.HqDatabase, seed: 7, inserts: 30, updates: 60, deletes: 10);
        await service.WaitUntilAsync(async () => (await setup.SessionsAsync()).Count(s => s.JobId == "1040" && s.DataGroup == "USRT-Stores") >= 4, "four runs of job 1040");
        await service.WaitUntilAsync(() => service.Count("Schedule Customers-every-second: run succeeded") >= 3, "three successful runs of Customers-every-second");
        // Changes again, and the signal as soon as a run is creating packages, so the stop meets work in progress.
        // Only a run that has changes to package has Started sessions, for a moment: keep changing HQ until one is seen.
        var seed = 8;
        var nextChange = DateTime.MinValue;
        await service.WaitUntilAsync(async () =>
        {
            if ((await setup.SessionsAsync()).Any(s => s.Status == SessionStatus.Started)) return true;
            if (DateTime.UtcNow >= nextChange)
            {
                await SampleData.ChangeAsync(setup.Info.HqDatabase, seed: seed++, inserts: 200, updates: 400, deletes: 20);
                nextChange = DateTime.UtcNow.AddSeconds(1.5);
            }
            return false;
        }, "a run in progress", pollMilliseconds: 20);
        service.Terminate();

        Assert.Equal(0, await service.WaitForExitAsync());
        output.WriteLine(service.Log);
        Assert.Contains(service.Lines, l => l.Contains("AsyncServer service stopped."));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Schedule On-demand: run") || l.Contains("Schedule Switched-off: run"));
        // Both schedules ran side by side (they were due together at start-up), each once at a time.
        Assert.Equal((2, 1), service.MostConcurrentRuns());
        var sessions = await setup.SessionsAsync();
        Assert.Contains(sessions, s => s.Status == SessionStatus.Available && s.Kind == SessionKind.Incremental && s.RowCount > 0);
        await AssertNothingHalfRecordedAsync(setup, sessions);
    }

    [Fact]
    public async Task A_schedule_whose_run_fails_is_logged_and_retried_while_the_others_keep_running()
    {
        using var setup = await SampleSetup.CreateAsync("service-fail", c =>
        {
            // A job whose table does not exist in HQ: every run of its schedule fails in the catalog check.
            c.Subjobs.Add(new SubjobSettings { Id = "MISSING", HqTable = "NOSUCHTABLE" });
            c.Jobs.Add(new JobSettings { Id = "9999", Name = "Broken", Subjobs = ["MISSING"] });
            EverySecond(c, new ScheduleSettings { Name = "Broken-every-second", Jobs = ["9999"], DataGroups = ["USRT-Stores"], Recurrence = new RecurrenceSettings { Interval = "00:00:01" } });
        });
        // Settings from a JSON file this time, with a schedule filter (Customers-every-second is left out) and one run at a time.
        var settings = Path.Combine(setup.Folder, "service.json");
        File.WriteAllText(settings, $$"""
            { "configurationPath": "{{setup.ConfigurationPath}}", "maxParallelRuns": 1, "schedules": [ "Products-every-second", "Broken-every-second" ] }
            """);
        using var service = ServiceProcess.Start(setup.Folder, "--settings", settings);

        await service.WaitUntilAsync(() => service.Count("Schedule Broken-every-second: run failed") >= 3, "three failed runs of the broken schedule");
        var succeededBefore = service.Count("Schedule Products-every-second: run succeeded");
        await service.WaitUntilAsync(() => service.Count("Schedule Products-every-second: run succeeded") >= succeededBefore + 2, "more successful runs after the failures");
        Assert.False(service.HasExited);
        Assert.Contains(service.Lines, l => l.Contains("Schedule Broken-every-second: run failed") && l.Contains("NOSUCHTABLE"));
        service.Terminate();

        Assert.Equal(0, await service.WaitForExitAsync());
        var sessions = await setup.SessionsAsync();
        Assert.DoesNotContain(sessions, s => s.JobId == "9999");
        Assert.DoesNotContain(sessions, s => s.JobId == "1010");
        Assert.Contains(service.Lines, l => l.Contains("at most 1 run(s) at once"));
        Assert.Equal((1, 1), service.MostConcurrentRuns());
        await AssertNothingHalfRecordedAsync(setup, sessions);
    }

    [Fact]
    public async Task After_a_restart_the_next_due_time_counts_from_the_last_run_in_the_message_database()
    {
        using var setup = await SampleSetup.CreateAsync("service-restart", c => c.Schedules =
        [
            new ScheduleSettings { Name = "Hourly", Jobs = ["1070"], DataGroups = ["USRT-Stores"], Recurrence = new RecurrenceSettings { Interval = "01:00:00" } },
        ], products: 20);
        // A run by hand (as an operator, or the service before it was restarted).
        await new Distribution.DistributionRunner(setup.Context()).RunAsync(new Distribution.DistributionRequest { Schedules = ["Hourly"] }, null, CancellationToken.None);
        var last = (await setup.SessionsAsync()).Max(s => s.CreatedAt);

        using var service = ServiceProcess.Start(setup.Folder, "-c", setup.ConfigurationPath);
        await service.WaitUntilAsync(() => service.Count("Schedule Hourly: every 01:00:00, next due") == 1, "the schedule's next due time");
        service.Terminate();
        Assert.Equal(0, await service.WaitForExitAsync());

        Assert.Contains(service.Lines, l => l.Contains($"Schedule Hourly: every 01:00:00, next due {last.AddHours(1):u}"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Schedule Hourly: run started"));
        Assert.Single(await setup.SessionsAsync());
    }

    [Fact]
    public async Task Client_mode_receives_the_stores_packages_on_its_interval_and_runs_no_schedule()
    {
        using var setup = await SampleSetup.CreateAsync("service-client", c => EverySecond(c), products: 20);
        // Packages for the store, distributed at HQ.
        var distributed = await new Distribution.DistributionRunner(setup.Context())
            .RunAsync(new Distribution.DistributionRequest { Schedules = ["Products-every-second", "Customers-every-second"] }, null, CancellationToken.None);
        var forHouston = distributed.Where(s => s.Targets.Any(t => t.ChannelDatabase == "HOUSTON")).Select(s => s.Id).ToList();
        Assert.NotEmpty(forHouston);

        using var service = ServiceProcess.Start(setup.Folder, "-c", setup.ConfigurationPath, "--mode", "Client",
            "--client-channel-database", "HOUSTON", "--client-interval", "00:00:01");
        await service.WaitUntilAsync(async () => (await setup.SessionsAsync()).Where(s => forHouston.Contains(s.Id))
            .All(s => s.Targets.Single(t => t.ChannelDatabase == "HOUSTON").Status == SessionStatus.Applied), "the store's sessions applied");
        await service.WaitUntilAsync(() => service.Count("Client HOUSTON: next due") >= 2, "a second client round");
        service.Terminate();
        Assert.Equal(0, await service.WaitForExitAsync());

        Assert.Contains(service.Lines, l => l.Contains("mode Client"));
        Assert.Contains(service.Lines, l => l.Contains($"Client HOUSTON: run succeeded: {forHouston.Count} session(s): {forHouston.Count} Applied."));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Schedule "));
        var sessions = await setup.SessionsAsync();
        Assert.Equal(distributed.Select(s => s.Id).Order(), sessions.Select(s => s.Id).Order());
        Assert.True(File.Exists(Path.Combine(setup.Info.ChannelFolder, "HOUSTON.db")));
        // The other stores were left alone.
        Assert.All(sessions.SelectMany(s => s.Targets).Where(t => t.ChannelDatabase != "HOUSTON"), t => Assert.Equal(SessionStatus.Available, t.Status));
    }

    [Fact]
    public async Task Bad_options_and_unknown_schedules_stop_the_service_with_a_clear_message()
    {
        using var setup = await SampleSetup.CreateAsync("service-options", c => EverySecond(c), products: 20);
        using (var service = ServiceProcess.Start(setup.Folder, "-c", setup.ConfigurationPath, "--max-parallel-runs", "0"))
        {
            Assert.Equal(2, await service.WaitForExitAsync());
            Assert.Contains(service.Lines, l => l.Contains("--max-parallel-runs '0'"));
        }
        using (var service = ServiceProcess.Start(setup.Folder, "-c", setup.ConfigurationPath, "--no-such-option", "x"))
        {
            Assert.Equal(2, await service.WaitForExitAsync());
            Assert.Contains(service.Lines, l => l.Contains("Unknown option(s): --no-such-option"));
        }
        var settings = Path.Combine(setup.Folder, "service.json");
        File.WriteAllText(settings, "{ \"configurationPath\": \"asyncserver.json\", \"client\": { \"interval\": \"soon\" } }");
        using (var service = ServiceProcess.Start(setup.Folder, "--settings", settings))
        {
            Assert.Equal(2, await service.WaitForExitAsync());
            Assert.Contains(service.Lines, l => l.Contains("--client-interval 'soon'"));
        }
        using (var service = ServiceProcess.Start(setup.Folder, "--mode", "Client"))
        {
            Assert.Equal(2, await service.WaitForExitAsync());
            Assert.Contains(service.Lines, l => l.Contains("--mode Client needs --client-channel-database"));
        }
        using (var service = ServiceProcess.Start(setup.Folder, "-c", setup.ConfigurationPath, "--schedules", "Products-every-second,Nope"))
        {
            Assert.Equal(1, await service.WaitForExitAsync());
            Assert.Contains(service.Lines, l => l.Contains("'Nope'"));
        }
        Assert.Empty(await setup.SessionsAsync());
    }

    /// <summary>
    /// No session is left Started; every package of an Available session is complete on disk and no other
    /// package or temp file exists; every row version is the end of the last recorded session of its pair.
    /// </summary>
    private static async Task AssertNothingHalfRecordedAsync(SampleSetup setup, IReadOnlyList<DownloadSessionRecord> sessions)
    {
        Assert.DoesNotContain(sessions, s => s.Status == SessionStatus.Started);
        Assert.All(sessions, s => Assert.Contains(s.Status, new[] { SessionStatus.Available, SessionStatus.NoData, SessionStatus.Canceled }));
        var folder = setup.Info.DownloadFolder;
        var expected = sessions.Where(s => s.Status == SessionStatus.Available).ToDictionary(s => s.PackageFile!, s => s.PackageSize);
        var onDisk = Directory.GetFiles(folder).Select(Path.GetFileName).ToList();
        Assert.Equal(expected.Keys.Order(), onDisk.Order()!);
        foreach (var (file, size) in expected) Assert.Equal(size, new FileInfo(Path.Combine(folder, file)).Length);
        foreach (var pair in sessions.Where(s => s.Status is SessionStatus.Available or SessionStatus.NoData).GroupBy(s => (s.DataGroup, s.JobId)))
            Assert.Equal(pair.Max(s => s.ToVersion), await setup.RowVersionAsync(pair.Key.DataGroup, pair.Key.JobId));
        foreach (var s in sessions.Where(s => s.Status == SessionStatus.Canceled))
            Assert.Null(s.PackageFile);
    }
}
