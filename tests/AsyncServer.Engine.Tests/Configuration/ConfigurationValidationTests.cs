using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Configuration;

/// <summary>Every bad configuration is reported with the JSON path of what is wrong.</summary>
public sealed class ConfigurationValidationTests
{
    private static async Task<IReadOnlyList<ConfigurationProblem>> ProblemsAsync(Workspace ws, Action<AsyncServerConfiguration> change)
    {
        ws.Configure(change);
        return await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default);
    }

    private static void AssertProblem(IReadOnlyList<ConfigurationProblem> problems, string path, string fragment)
    {
        if (!problems.Any(p => p.Path == path && p.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)))
            throw new Xunit.Sdk.XunitException($"no problem at {path} containing '{fragment}'; got:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public async Task The_sample_configuration_has_no_problems()
    {
        await using var ws = await Workspace.CreateAsync();
        Assert.Empty(await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default));
    }

    [Fact]
    public async Task Duplicate_ids_are_reported_at_the_second_occurrence()
    {
        await using var ws = await Workspace.CreateAsync();
        var problems = await ProblemsAsync(ws, c =>
        {
            c.Jobs.Add(new JobSettings { Id = "1040", Subjobs = ["INVENTTABLE"] });
            c.Subjobs.Add(new SubjobSettings { Id = "CUSTTABLE", HqTable = "CUSTTABLE" });
            c.DataGroups[1].ChannelDatabases.Add(new ChannelDatabaseSettings { Id = "houston", Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = "usmf" } });
            c.Schedules.Add(new ScheduleSettings { Name = "Nightly", Jobs = ["1010"], DataGroups = ["USRT-Stores"] });
        });
        AssertProblem(problems, "$.jobs[4].id", "duplicate job id '1040'");
        AssertProblem(problems, "$.subjobs[9].id", "duplicate subjob id");
        AssertProblem(problems, "$.dataGroups[1].channelDatabases[2].id", "duplicate channel database id 'houston'");
        AssertProblem(problems, "$.schedules[3].name", "duplicate schedule");
    }

    [Fact]
    public async Task A_job_naming_a_missing_subjob_and_a_schedule_naming_missing_jobs_and_groups()
    {
        await using var ws = await Workspace.CreateAsync();
        var problems = await ProblemsAsync(ws, c =>
        {
            c.Jobs[0].Subjobs.Add("NOSUCH");
            c.Schedules[0].Jobs.Add("7777");
            c.Schedules[0].DataGroups.Add("Nowhere");
            c.Schedules[1].Recurrence = new RecurrenceSettings { Interval = "soon" };
        });
        AssertProblem(problems, "$.jobs[0].subjobs[2]", "subjob 'NOSUCH'");
        AssertProblem(problems, "$.schedules[0].jobs[2]", "job '7777'");
        AssertProblem(problems, "$.schedules[0].dataGroups[2]", "data group 'Nowhere'");
        AssertProblem(problems, "$.schedules[1].recurrence", "interval 'soon'");
    }

    [Fact]
    public async Task HQ_tables_and_columns_are_checked_against_the_catalog()
    {
        await using var ws = await Workspace.CreateAsync();
        var problems = await ProblemsAsync(ws, c =>
        {
            c.Subjobs[0].HqTable = "ECORESPRODUCTX";
            c.Subjobs[2].Fields["NOSUCHCOLUMN"] = "X";
            c.Subjobs[2].Fields.Remove("ITEMID");
            c.Subjobs[3].Filter = "DATAAREAID = @DataAreaId AND COLOUR = 'red'";
            c.Subjobs[4].Filter = "DATAAREAID = = @DataAreaId";
        });
        AssertProblem(problems, "$.subjobs[0].hqTable", "HQ table 'ECORESPRODUCTX' does not exist");
        AssertProblem(problems, "$.subjobs[2].fields.NOSUCHCOLUMN", "column 'NOSUCHCOLUMN' does not exist");
        AssertProblem(problems, "$.subjobs[2].fields", "key column 'ITEMID'");
        AssertProblem(problems, "$.subjobs[3].filter", "column 'COLOUR' does not exist");
        AssertProblem(problems, "$.subjobs[4].filter", "at character");
    }

    [Fact]
    public async Task A_filter_parameter_a_channel_database_lacks_or_disagrees_on()
    {
        await using var ws = await Workspace.CreateAsync();
        var problems = await ProblemsAsync(ws, c =>
        {
            c.DataGroups[0].ChannelDatabases[1].Parameters.Clear();
            c.DataGroups[1].ChannelDatabases[1].Parameters["DataAreaId"] = "usrt";
        });
        AssertProblem(problems, "$.dataGroups[0].channelDatabases[1].parameters", "lacks parameter 'DataAreaId'");
        AssertProblem(problems, "$.dataGroups[1].channelDatabases[1].parameters.DataAreaId", "must agree");
    }

    [Fact]
    public async Task An_unwritable_working_folder_is_reported()
    {
        await using var ws = await Workspace.CreateAsync();
        var file = Path.Combine(ws.Folder, "a-file");
        File.WriteAllText(file, "");
        var problems = await ProblemsAsync(ws, c => c.WorkingFolders!.Download = Path.Combine(file, "download"));
        AssertProblem(problems, "$.workingFolders.download", "not writable");
    }

    [Fact]
    public async Task Connection_problems_name_their_section_and_never_show_secrets()
    {
        await using var ws = await Workspace.CreateAsync();
        Environment.SetEnvironmentVariable("ASYNCSERVER_TEST_UNSET_SECRET", null);
        var problems = await ProblemsAsync(ws, c =>
        {
            c.Hq!.Provider = "oracle";
            c.MessageDatabase!.ConnectionString = "Data Source=m.db;Password=${env:ASYNCSERVER_TEST_UNSET_SECRET}";
            c.PackageLimits.MaxRows = 0;
            c.TryCount = -1;
        });
        AssertProblem(problems, "$.hq.provider", "unknown provider 'oracle'");
        AssertProblem(problems, "$.messageDatabase.connectionString", "ASYNCSERVER_TEST_UNSET_SECRET");
        AssertProblem(problems, "$.packageLimits.maxRows", "between 1 and");
        AssertProblem(problems, "$.tryCount", "0 means no limit");
    }

    [Fact]
    public void Syntax_and_type_errors_name_the_path_and_line()
    {
        var ex = Assert.Throws<AsyncServerException>(() => ConfigurationLoader.Parse("{\n  \"partition\": \"ps1\",\n  \"tryCount\": \"three\"\n}"));
        Assert.Equal(ErrorIds.ConfigurationSyntax, ex.ErrorId);
        Assert.Contains("$.tryCount", ex.Message);
        Assert.Contains("line 3", ex.Message);
        var unknown = Assert.Throws<AsyncServerException>(() => ConfigurationLoader.Parse("{ \"partitoin\": \"x\" }"));
        Assert.Contains("partitoin", unknown.Message);
        Assert.Equal(ErrorIds.ConfigurationNotFound, Assert.Throws<AsyncServerException>(() => ConfigurationLoader.Load("/nonexistent/asyncserver.json")).ErrorId);
    }

    [Fact]
    public async Task A_run_with_a_bad_configuration_lists_every_problem_and_writes_nothing()
    {
        await using var ws = await Workspace.CreateAsync();
        ws.Configure(c => c.Subjobs[2].HqTable = "NOPE");
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ws.RunJobsAsync("1040"));
        Assert.Equal(ErrorIds.ConfigurationInvalid, ex.ErrorId);
        Assert.Contains("$.subjobs[2].hqTable", ex.Message);
        Assert.Empty(await ws.SessionsAsync());
    }
}
