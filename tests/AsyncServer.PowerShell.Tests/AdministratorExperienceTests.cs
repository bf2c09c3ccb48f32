using System.Globalization;
using System.Management.Automation;
using AsyncServer.Messaging;
using AsyncServer.Samples;

namespace AsyncServer.PowerShell.Tests;

/// <summary>
/// The module as an administrator meets it in the first hour (issue 17): streams, progress, views, name
/// matching, completion and pipeline binding, each exercised through PowerShell on a real SQLite sample
/// environment.
/// </summary>
public sealed class AdministratorExperienceTests : IAsyncLifetime
{
    private string _folder = "";
    private PowerShellHost _host = null!;

    public async Task InitializeAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "asyncserver-admin", Guid.NewGuid().ToString("N"));
        await SampleEnvironment.CreateAsync(_folder, 40, default);
        _host = new PowerShellHost(_folder);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private List<DownloadSession> Sessions(string script) => _host.Invoke(script).Select(o => (DownloadSession)o.BaseObject).ToList();

    private string[] Complete(string input)
        => _host.Invoke($"(TabExpansion2 -inputScript '{input}' -cursorColumn {input.Length}).CompletionMatches | ForEach-Object {{ \"$($_.ResultType)|$($_.CompletionText)\" }}")
            .Select(o => o.ToString()).ToArray();

    // --- 1. Verbose lines say what happened, after it happened ---------------------------------------

    [Fact]
    public void Move_AsyncStatusMessage_says_what_it_did_once_and_nothing_under_WhatIf()
    {
        var (_, whatIf) = _host.Run("Move-AsyncStatusMessage -WhatIf -Verbose");
        Assert.False(whatIf.HadErrors, string.Join("; ", whatIf.Streams.Error));
        Assert.DoesNotContain(whatIf.Streams.Verbose, v => v.Message.StartsWith("Status messages:", StringComparison.Ordinal));

        var (_, run) = _host.Run("Move-AsyncStatusMessage -Verbose -Confirm:$false");
        Assert.False(run.HadErrors, string.Join("; ", run.Streams.Error));
        Assert.Single(run.Streams.Verbose, v => v.Message.StartsWith("Status messages:", StringComparison.Ordinal));
    }

    // --- 2. One Completed progress record per bar; progress for long sample changes ----------------------

    [Fact]
    public void Distribution_receive_and_status_move_each_end_their_progress_once()
    {
        var (_, distribute) = _host.Run("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores");
        Assert.NotEmpty(distribute.Streams.Progress);
        Assert.Single(distribute.Streams.Progress, p => p.RecordType == ProgressRecordType.Completed);
        Assert.Equal(ProgressRecordType.Completed, distribute.Streams.Progress.Last().RecordType);

        var (_, receive) = _host.Run("Receive-AsyncPackage -ChannelDatabase HOUSTON");
        Assert.False(receive.HadErrors, string.Join("; ", receive.Streams.Error));
        Assert.Single(receive.Streams.Progress, p => p.RecordType == ProgressRecordType.Completed);

        var (_, move) = _host.Run("Move-AsyncStatusMessage -Confirm:$false");
        Assert.Single(move.Streams.Progress, p => p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public void Update_AsyncSampleData_reports_progress_while_it_changes_rows()
    {
        var (_, ps) = _host.Run("Update-AsyncSampleData -Insert 300 -Update 300 -Delete 10 -Seed 5");
        Assert.False(ps.HadErrors, string.Join("; ", ps.Streams.Error));
        Assert.True(ps.Streams.Progress.Count(p => p.RecordType == ProgressRecordType.Processing) >= 10, $"{ps.Streams.Progress.Count} progress records");
        Assert.Single(ps.Streams.Progress, p => p.RecordType == ProgressRecordType.Completed);
        Assert.Contains(ps.Streams.Progress, p => p.StatusDescription.StartsWith("Updating rows", StringComparison.Ordinal));
    }

    // --- 3. One report per failure ------------------------------------------------------------------

    [Fact]
    public void A_failed_receive_is_one_error_record_and_no_warning()
    {
        var session = Sessions("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores").First(s => s.ChannelDatabase == "HOUSTON");
        File.Delete(session.PackagePath!);

        // -ErrorAction SilentlyContinue keeps errors out of the error stream; -ErrorVariable still collects them.
        var (errors, ps) = _host.Run("Receive-AsyncPackage -ChannelDatabase HOUSTON -ErrorAction SilentlyContinue -ErrorVariable failures | Out-Null; $failures");
        var error = Assert.IsType<ErrorRecord>(Assert.Single(errors).BaseObject);
        Assert.StartsWith("DownloadFailed,", error.FullyQualifiedErrorId);
        Assert.Empty(ps.Streams.Error);
        Assert.Empty(ps.Streams.Warning);
    }

    // --- 4. One object model, unambiguous times -------------------------------------------------------

    [Fact]
    public void A_session_names_each_thing_once_and_its_views_show_the_year_and_the_offset()
    {
        var rows = Sessions("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores");
        var names = typeof(DownloadSession).GetProperties().Select(p => p.Name).ToList();
        Assert.Contains("Job", names);
        Assert.Contains("PackageStatus", names);
        Assert.DoesNotContain("JobId", names);
        Assert.DoesNotContain("SessionStatus", names);
        Assert.All(rows, r => Assert.Equal("1020", r.Job));

        var local = rows[0].CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
        var table = string.Join("\n", _host.Invoke("Get-AsyncSession | Format-Table | Out-String -Width 200"));
        Assert.Matches(@"Id\s+Job\s+DataGroup\s+Status", table);
        Assert.Contains(local, table);
        var list = string.Join("\n", _host.Invoke("Get-AsyncSession -First 1 | Format-List | Out-String -Width 200"));
        Assert.Matches(@"CreatedAt\s+: " + System.Text.RegularExpressions.Regex.Escape(local), list);
        Assert.Matches(@"PackageStatus\s+: Available", list);
    }

    // --- 5. Schedules in a narrow console, in CSV, with a TimeSpan interval ------------------------------

    [Fact]
    public void Schedules_show_whole_times_at_80_columns_and_survive_a_CSV_round_trip()
    {
        _host.Invoke("Start-AsyncDistribution -Schedule Products-and-prices");
        var table = string.Join("\n", _host.Invoke("Get-AsyncSchedule | Format-Table | Out-String -Width 80"));
        var due = (DateTimeOffset)_host.Invoke("(Get-AsyncSchedule -Name Products-and-prices).NextDue")[0].BaseObject;
        Assert.Contains(due.ToLocalTime().ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture), table);

        var csv = _host.Invoke("Get-AsyncSchedule | ConvertTo-Csv | ConvertFrom-Csv");
        Assert.Equal(3, csv.Count); // the sample has two download schedules and the upload schedule Sales-upload
        var products = csv.Single(o => (string)o.Properties["Name"].Value == "Products-and-prices");
        Assert.Equal("1040, 1020", products.Properties["Jobs"].Value);
        Assert.Equal("USRT-Stores, USMF-Stores", products.Properties["DataGroups"].Value);
        Assert.Matches(@"^\d+(, \d+)*$", (string)products.Properties["LastSessionIds"].Value);
        Assert.Equal(TimeSpan.FromMinutes(15), TimeSpan.Parse((string)products.Properties["Interval"].Value, CultureInfo.InvariantCulture));

        Assert.Equal(TimeSpan.FromMinutes(15), _host.Invoke("(Get-AsyncSchedule -Name Products-and-prices).Interval")[0].BaseObject);
        Assert.Equal("1040", _host.Invoke("(Get-AsyncSchedule -Name Products-and-prices).Jobs[0]")[0].BaseObject);
    }

    // --- 6. -First counts objects ---------------------------------------------------------------------

    [Fact]
    public void Get_AsyncSession_First_returns_that_many_objects()
    {
        _host.Invoke("Start-AsyncDistribution -Job 1020, 1040 -DataGroup USRT-Stores");
        Assert.Single(Sessions("Get-AsyncSession -First 1"));
        Assert.Equal(3, Sessions("Get-AsyncSession -First 3").Count);
    }

    // --- 7. One rule for names: wildcards match, a literal that does not exist is an error ----------------

    [Fact]
    public void Session_filters_take_wildcards_and_report_names_the_configuration_does_not_have()
    {
        _host.Invoke("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores, USMF-Stores");
        Assert.Equal(2, Sessions("Get-AsyncSession -DataGroup USRT*").Count);
        Assert.Equal(["HOUSTON"], Sessions("Get-AsyncSession -ChannelDatabase HOU*").Select(s => s.ChannelDatabase));
        Assert.Equal(4, Sessions("Get-AsyncSession -Job 10*").Count);

        var (output, ps) = _host.Run("Get-AsyncSession -ChannelDatabase NOPE");
        Assert.Empty(output);
        var error = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("ChannelDatabaseNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("NOPE", error.TargetObject);

        (_, ps) = _host.Run("Get-AsyncSession -Job 9999");
        Assert.StartsWith("JobNotFound,", Assert.Single(ps.Streams.Error).FullyQualifiedErrorId);
        (_, ps) = _host.Run("Get-AsyncSession -DataGroup NOPE");
        Assert.StartsWith("DataGroupNotFound,", Assert.Single(ps.Streams.Error).FullyQualifiedErrorId);

        // A pattern that matches nothing is not an error, and selects no session.
        (output, ps) = _host.Run("Get-AsyncSession -DataGroup ZZZ*");
        Assert.Empty(output);
        Assert.False(ps.HadErrors);
    }

    // --- 8. Completion offers ids and names, never file names ----------------------------------------------

    [Fact]
    public void Session_ids_channel_databases_and_tables_complete_instead_of_file_names()
    {
        var id = Sessions("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores")[0].Id.ToString(CultureInfo.InvariantCulture);
        foreach (var command in new[] { "Get-AsyncSession -Id ", "Stop-AsyncSession -Id ", "Restart-AsyncSession -Id " })
            Assert.Equal([$"ParameterValue|{id}"], Complete(command));

        Assert.Equal(["ParameterValue|HOUSTON"], Complete("Receive-AsyncPackage -ChannelDatabase HOU"));
        Assert.Equal(["ParameterValue|SEATTLE"], Complete("Stop-AsyncSession -Id 1 -ChannelDatabase SEA"));
        Assert.Equal(["ParameterValue|CUSTTABLE"], Complete("Enable-AsyncChangeTracking -Table CUST"));
        // The folder holds asyncserver.json and hq.db: none of them is offered.
        Assert.DoesNotContain(Complete("Receive-AsyncPackage -ChannelDatabase "), c => c.StartsWith("ProviderItem", StringComparison.Ordinal));
        Assert.DoesNotContain(Complete("Stop-AsyncSession -Id "), c => c.StartsWith("ProviderItem", StringComparison.Ordinal));
    }

    // --- 9. Pipeline binding ---------------------------------------------------------------------------

    [Fact]
    public void Ids_names_and_objects_bind_from_the_pipeline()
    {
        var id = Sessions("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores")[0].Id;
        _host.Invoke("Start-AsyncDistribution -Job 1040 -DataGroup USRT-Stores");

        var canceled = Sessions($"{id} | Stop-AsyncSession -Confirm:$false -PassThru");
        Assert.Equal(2, canceled.Count);
        Assert.All(canceled, s => Assert.Equal(SessionStatus.Canceled, s.Status));
        Assert.Equal(2, Sessions($"{id} | Get-AsyncSession").Count);

        Assert.All(Sessions("[pscustomobject]@{ Job = '1040' } | Get-AsyncSession"), s => Assert.Equal("1040", s.Job));
        Assert.All(Sessions("[pscustomobject]@{ DataGroup = 'USRT-Stores'; ChannelDatabase = 'SEATTLE' } | Get-AsyncSession"), s => Assert.Equal("SEATTLE", s.ChannelDatabase));

        var started = Sessions("[pscustomobject]@{ Job = '1070'; DataGroup = 'USMF-Stores' } | Start-AsyncDistribution");
        Assert.NotEmpty(started);
        Assert.All(started, s => Assert.Equal(("1070", "USMF-Stores"), (s.Job, s.DataGroup)));
    }

    [Fact]
    public void Sessions_pipe_back_into_Get_AsyncSession_including_those_without_a_channel_database()
    {
        _host.Invoke("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores");
        _host.Invoke("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores"); // nothing changed: a NoData session, no target
        var listed = Sessions("Get-AsyncSession -IncludeNoData");
        Assert.Contains(listed, s => s.ChannelDatabase.Length == 0);
        var (again, ps) = _host.Run("Get-AsyncSession -IncludeNoData | Get-AsyncSession");
        Assert.False(ps.HadErrors, string.Join("; ", ps.Streams.Error));
        Assert.Equal(listed.Select(s => (s.Id, s.ChannelDatabase)), again.Select(o => (DownloadSession)o.BaseObject).Select(s => (s.Id, s.ChannelDatabase)));
    }

    // --- 10. The same parameter behaves the same on every cmdlet --------------------------------------------

    [Fact]
    public void Stop_and_Restart_take_several_channel_databases_and_cleanup_defaults_to_the_configured_retention()
    {
        var id = Sessions("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores")[0].Id;
        var canceled = Sessions($"Stop-AsyncSession -Id {id} -ChannelDatabase HOUSTON, SEATTLE -Confirm:$false -PassThru");
        Assert.Equal(["HOUSTON", "SEATTLE"], canceled.Select(s => s.ChannelDatabase).Order());
        Assert.All(canceled, s => Assert.Equal(SessionStatus.Canceled, s.Status));
        var rerun = Sessions($"Restart-AsyncSession -SessionId {id} -ChannelDatabaseId HOUSTON, SEATTLE -Confirm:$false -PassThru");
        Assert.Equal(2, rerun.Count);
        Assert.All(rerun, s => Assert.Equal(SessionStatus.Available, s.Status));

        var (_, cleanup) = _host.Run("Invoke-AsyncChangeTrackingCleanup -Confirm:$false");
        Assert.False(cleanup.HadErrors, string.Join("; ", cleanup.Streams.Error));
    }

    // --- 15. A sample folder that cannot be created ----------------------------------------------------------

    [Fact]
    public void New_AsyncSampleEnvironment_says_why_a_folder_cannot_be_created()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test needs /proc (Linux), where the test suite runs");
        var (_, ps) = _host.Run("New-AsyncSampleEnvironment -Path /proc/asyncserver-sample");
        var error = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("SampleFolderNotCreatable,", error.FullyQualifiedErrorId);
        Assert.Contains("Cannot create the sample environment folder '/proc/asyncserver-sample'", error.Exception.Message);
        Assert.Contains("'/proc' does not accept new files or folders", error.Exception.Message);
    }
}
