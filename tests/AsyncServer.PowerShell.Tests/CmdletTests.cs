using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.Samples;

namespace AsyncServer.PowerShell.Tests;

/// <summary>The cmdlets hosted in-process through the PowerShell SDK, on a real SQLite sample environment.</summary>
public sealed class CmdletTests : IAsyncLifetime
{
    private string _folder = "";
    private PowerShellHost _host = null!;

    public async Task InitializeAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "asyncserver-cmdlets", Guid.NewGuid().ToString("N"));
        await SampleEnvironment.CreateAsync(_folder, 40, default);
        _host = new PowerShellHost(_folder);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private string[] PackageFiles() => Directory.GetFiles(Path.Combine(_folder, "download"), "*", SearchOption.AllDirectories);

    [Fact]
    public void Start_AsyncDistribution_writes_sessions_and_Get_AsyncSession_finds_them()
    {
        var out1 = _host.Invoke("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores");
        Assert.Equal(2, out1.Count); // one row per channel database of the group
        var session = Assert.IsType<DownloadSession>(out1[0].BaseObject);
        Assert.Equal(SessionStatus.Available, session.Status);
        Assert.True(File.Exists(session.PackagePath));

        var byId = _host.Invoke($"Get-AsyncSession -Id {session.Id}");
        Assert.Equal(["HOUSTON", "SEATTLE"], byId.Select(o => ((DownloadSession)o.BaseObject).ChannelDatabase));
        Assert.Single(_host.Invoke("Get-AsyncSession -ChannelDatabase SEATTLE -Job 1020"));
        Assert.Empty(_host.Invoke("Get-AsyncSession -Status ApplyFailed"));
        Assert.Empty(_host.Invoke("Get-AsyncSession -After (Get-Date).AddHours(1)"));
        Assert.Equal(2, _host.Invoke("Get-AsyncSession -Before (Get-Date).AddHours(1)").Count);
    }

    [Fact]
    public void WhatIf_writes_nothing()
    {
        var (output, ps) = _host.Run("Start-AsyncDistribution -Schedule Nightly -WhatIf");
        Assert.False(ps.HadErrors, string.Join("; ", ps.Streams.Error));
        Assert.Empty(output);
        Assert.Empty(PackageFiles());
        Assert.Empty(_host.Invoke("Get-AsyncSession -IncludeNoData"));
    }

    [Fact]
    public void Errors_carry_stable_ids_and_categories()
    {
        var (_, ps) = _host.Run("Start-AsyncDistribution -Job 9999");
        var error = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("JobNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);

        (_, ps) = _host.Run("Get-AsyncSession -ConfigurationPath ./missing.json");
        Assert.StartsWith("ConfigurationNotFound,", Assert.Single(ps.Streams.Error).FullyQualifiedErrorId);

        (_, ps) = _host.Run("Get-AsyncSession -Id 424242");
        var notFound = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("SessionNotFound,", notFound.FullyQualifiedErrorId);
        Assert.Equal(424242L, notFound.TargetObject);

        (_, ps) = _host.Run("Publish-AsyncPackage -Path ./nope.zip, ./nope2.zip");
        Assert.Equal(2, ps.Streams.Error.Count); // one non-terminating error per item
        Assert.All(ps.Streams.Error, e => Assert.StartsWith("PackageNotFound,", e.FullyQualifiedErrorId));
    }

    [Fact]
    public void Engine_logs_reach_the_verbose_stream_and_progress_is_reported_and_completed()
    {
        var (_, ps) = _host.Run("Start-AsyncDistribution -Job 1040 -Verbose");
        Assert.Contains(ps.Streams.Verbose, v => v.Message.Contains("Package ps1_1040_"));
        Assert.NotEmpty(ps.Streams.Progress);
        Assert.All(ps.Streams.Progress, p => Assert.Equal(1040, p.ActivityId));
        Assert.Equal(ProgressRecordType.Completed, ps.Streams.Progress.Last().RecordType);
    }

    [Fact]
    public void Staged_packages_are_published_from_the_pipeline()
    {
        _host.Invoke("Start-AsyncDistribution -Job 1070 -NoPublish");
        Assert.Equal(2, _host.Invoke("Get-ChildItem ./download/.staging -Filter *.zip").Count);
        var published = _host.Invoke("Get-ChildItem ./download/.staging -Filter *.zip | Publish-AsyncPackage -PassThru");
        Assert.Equal(4, published.Count);
        Assert.All(published, o => Assert.Equal(SessionStatus.Available, ((DownloadSession)o.BaseObject).Status));
        Assert.Empty(_host.Invoke("Get-ChildItem ./download/.staging -Filter *.zip"));
    }

    [Fact]
    public void Test_AsyncConfiguration_reports_problems_or_true()
    {
        Assert.True((bool)_host.Invoke("Test-AsyncConfiguration -Quiet")[0].BaseObject);
        var json = File.ReadAllText(Path.Combine(_folder, "asyncserver.json")).Replace("\"hqTable\": \"CUSTTABLE\"", "\"hqTable\": \"CUSTTABLEX\"");
        File.WriteAllText(Path.Combine(_folder, "bad.json"), json);
        var problems = _host.Invoke("Test-AsyncConfiguration -ConfigurationPath ./bad.json");
        var problem = Assert.Single(problems);
        Assert.Equal("$.subjobs[6].hqTable", problem.Properties["Path"].Value);
        Assert.False((bool)_host.Invoke("Test-AsyncConfiguration -ConfigurationPath ./bad.json -Quiet")[0].BaseObject);
        File.WriteAllText(Path.Combine(_folder, "syntax.json"), "{ \"partition\": ");
        Assert.Single(_host.Invoke("Test-AsyncConfiguration -ConfigurationPath ./syntax.json"));
    }

    [Fact]
    public void Stopping_the_pipeline_cancels_the_run_and_leaves_nothing_started()
    {
        var json = File.ReadAllText(Path.Combine(_folder, "asyncserver.json")).Replace("\"maxRows\": 100000", "\"maxRows\": 3");
        File.WriteAllText(Path.Combine(_folder, "asyncserver.json"), json);
        using var ps = _host.Create();
        ps.AddScript("Start-AsyncDistribution -Job 1040, 1010, 1020");
        var started = new ManualResetEventSlim();
        // Stop once rows are being packaged (sessions exist by then): the very first progress record comes before
        // the first session is created, and a Stop that early leaves nothing to cancel.
        ps.Streams.Progress.DataAdded += (_, e) =>
        {
            if (ps.Streams.Progress[e.Index].StatusDescription is { } status && !status.Contains(": 0 rows", StringComparison.Ordinal)) started.Set();
        };
        var async = ps.BeginInvoke();
        Assert.True(started.Wait(TimeSpan.FromMinutes(1)), "the distribution never reported progress");
        ps.Stop();
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
        var sessions = _host.Invoke("Get-AsyncSession -IncludeNoData").Select(o => (DownloadSession)o.BaseObject).ToList();
        Assert.DoesNotContain(sessions, s => s.PackageStatus == SessionStatus.Started);
        Assert.Contains(sessions, s => s.PackageStatus == SessionStatus.Canceled);
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder, "download"), "*.tmp"));
        // Every package left in the folder belongs to a recorded, available session.
        var available = sessions.Where(s => s.PackageStatus == SessionStatus.Available).Select(s => s.PackagePath).ToHashSet();
        Assert.All(PackageFiles(), f => Assert.Contains(f, available));
    }

    [Fact]
    public void Schedule_job_group_and_channel_database_names_complete_from_the_configuration()
    {
        string[] Complete(string input) => _host.Invoke($"(TabExpansion2 -inputScript '{input}' -cursorColumn {input.Length}).CompletionMatches.CompletionText")
            .Select(o => o.ToString()).ToArray();
        Assert.Equal(["Products-and-prices"], Complete("Start-AsyncDistribution -Schedule Pro"));
        Assert.Equal(["1010", "1020", "1040", "1070"], Complete("Start-AsyncDistribution -Job 10"));
        Assert.Equal(["USMF-Stores"], Complete("Start-AsyncDistribution -Job 1040 -DataGroup USM"));
        Assert.Equal(["DETROIT"], Complete("Get-AsyncSession -ChannelDatabase DE"));
    }

    [Fact]
    public void Cleanup_takes_days_and_a_later_run_reports_the_history_gap()
    {
        _host.Invoke("Start-AsyncDistribution -Job 1020");
        _host.Invoke("Update-AsyncSampleData -Insert 0 -Update 20 -Delete 0 -Seed 3");
        var (_, ps) = _host.Run("Invoke-AsyncChangeTrackingCleanup -RetentionDays 14 -Confirm:$false");
        Assert.False(ps.HadErrors);
        var kept = _host.Invoke("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores");
        Assert.Equal(SessionKind.Incremental, ((DownloadSession)kept[0].BaseObject).Kind); // 14 days keeps today's history

        _host.Invoke("Update-AsyncSampleData -Insert 0 -Update 20 -Delete 0 -Seed 4");
        Thread.Sleep(1100); // change times have one-second resolution: let these changes be older than "now"
        _host.Invoke("Invoke-AsyncChangeTrackingCleanup -RetentionDays 0 -Confirm:$false");
        var (gap, gapShell) = _host.Run("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores");
        var session = (DownloadSession)gap[0].BaseObject;
        Assert.Equal(SessionKind.Full, session.Kind);
        Assert.Contains("History gap", session.FullSyncReason);
        Assert.Contains(gapShell.Streams.Warning, w => w.Message.Contains("History gap"));
    }

    [Fact]
    public void The_saved_sample_configuration_holds_only_settings()
    {
        var json = File.ReadAllText(Path.Combine(_folder, "asyncserver.json"));
        Assert.DoesNotContain("downloadFolder", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("effectiveChannelTable", json, StringComparison.OrdinalIgnoreCase);
    }
}
