using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Samples;
using AsyncServer.Scheduling.Registration;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.BadInput;

/// <summary>Issue 12, points 11, 13, 17 and 18: hostile names and numbers, and errors in the configuration's own terms.</summary>
public sealed class HostileConfigurationTests
{
    private static void AssertProblem(IReadOnlyList<ConfigurationProblem> problems, string path, string fragment)
    {
        if (!problems.Any(p => p.Path == path && p.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)))
            throw new Xunit.Sdk.XunitException($"no problem at {path} containing '{fragment}'; got:\n{string.Join("\n", problems)}");
    }

    /// <summary>Where a hostile name goes, and the JSON path it must be reported at.</summary>
    public static TheoryData<string, string> NamePositions()
    {
        var data = new TheoryData<string, string>();
        foreach (var bad in new[] { "\n", "\r", "\0", "\u0085", "\u2028", "\u001b[31m" })
        {
            data.Add("$.partition", bad);
            data.Add("$.dataGroups[0].id", bad);
            data.Add("$.dataGroups[0].name", bad);
            data.Add("$.dataGroups[0].channelDatabases[0].id", bad);
            data.Add("$.subjobs[0].id", bad);
            data.Add("$.subjobs[0].hqTable", bad);
            data.Add("$.jobs[0].id", bad);
            data.Add("$.jobs[0].name", bad);
            data.Add("$.schedules[0].name", bad);
        }
        return data;
    }

    private static void SetName(AsyncServerConfiguration c, string path, string value)
    {
        switch (path)
        {
            case "$.partition": c.Partition = "p" + value; break;
            case "$.dataGroups[0].id": c.DataGroups[0].Id += value; break;
            case "$.dataGroups[0].name": c.DataGroups[0].Name += value; break;
            case "$.dataGroups[0].channelDatabases[0].id": c.DataGroups[0].ChannelDatabases[0].Id += value; break;
            case "$.subjobs[0].id": c.Subjobs[0].Id += value; break;
            case "$.subjobs[0].hqTable": c.Subjobs[0].HqTable += value; break;
            case "$.jobs[0].id": c.Jobs[0].Id += value; break;
            case "$.jobs[0].name": c.Jobs[0].Name += value; break;
            case "$.schedules[0].name": c.Schedules[0].Name = "Nightly" + value + "ExecStartPre=+/bin/touch /tmp/pwned"; break;
            default: throw new ArgumentException(path);
        }
    }

    [Theory]
    [MemberData(nameof(NamePositions))]
    public void A_control_character_in_any_id_or_name_is_reported_at_its_path(string path, string bad)
    {
        var config = SampleConfiguration.Create();
        SetName(config, path, bad);
        var problems = ConfigurationValidator.ValidateDocument(config);
        AssertProblem(problems, path, "control character");
        var refused = Assert.Throws<AsyncServerException>(() => ConfigurationLimits.ThrowIfViolated(config));
        Assert.Equal(ErrorIds.ConfigurationInvalid, refused.ErrorId);
        Assert.Contains(path, refused.Message);
    }

    public static TheoryData<string, string> OutOfRange() => new()
    {
        { "\"retentionDays\": 2147483647", "$.retentionDays" },
        { "\"retentionDays\": -1", "$.retentionDays" },
        { "\"leaseSeconds\": 2147483647", "$.leaseSeconds" },
        { "\"leaseSeconds\": 0", "$.leaseSeconds" },
        { "\"tryCount\": -5", "$.tryCount" },
        { "\"tryCount\": 2147483647", "$.tryCount" },
        { "\"packageLimits\": { \"maxRows\": 0 }", "$.packageLimits.maxRows" },
        { "\"packageLimits\": { \"maxRows\": 9223372036854775807 }", "$.packageLimits.maxRows" },
        { "\"packageLimits\": { \"maxBytes\": 10 }", "$.packageLimits.maxBytes" },
        { "\"packageLimits\": { \"maxBytes\": 9223372036854775807 }", "$.packageLimits.maxBytes" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Every_number_has_a_range_reported_with_its_path(string property, string path)
    {
        var config = ConfigurationLoader.Parse("{ " + property + " }");
        AssertProblem(ConfigurationValidator.ValidateDocument(config), path, "must be between");
        var refused = Assert.Throws<AsyncServerException>(() => ConfigurationLimits.ThrowIfViolated(config));
        Assert.Contains(path, refused.Message);
    }

    [Fact]
    public void The_sample_configuration_is_within_every_limit() => Assert.Empty(ConfigurationLimits.Check(SampleConfiguration.Create()));

    public static TheoryData<string, string, string> DotNetSpeak() => new()
    {
        { "{ \"retentionDay\": 3 }", "$", "unknown property 'retentionDay' at $" },
        { "{ \"jobs\": [ { \"id\": \"1\", \"bogus\": 1 } ] }", "$.jobs[0]", "unknown property 'bogus' at $.jobs[0]" },
        { "{ \"hq\": { \"conectionString\": \"x\" } }", "$.hq", "unknown property 'conectionString' at $.hq" },
        { "{ \"retentionDays\": \"ten\" }", "$.retentionDays", "not a whole number" },
        { "{ \"retentionDays\": 99999999999 }", "$.retentionDays", "not a whole number" },
        { "{ \"hq\": { \"useCredential\": \"yes\" } }", "$.hq.useCredential", "not true or false" },
        { "{ \"jobs\": { } }", "$.jobs", "not an array" },
    };

    [Theory]
    [MemberData(nameof(DotNetSpeak))]
    public void Syntax_errors_speak_the_configurations_language(string json, string path, string expected)
    {
        var ex = Assert.Throws<AsyncServerException>(() => ConfigurationLoader.Parse(json));
        Assert.Equal(ErrorIds.ConfigurationSyntax, ex.ErrorId);
        Assert.Equal(path, ex.Target);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain(".NET", ex.Message);
        Assert.DoesNotContain("System.", ex.Message);
        Assert.DoesNotContain("AsyncServer.Configuration", ex.Message);
    }

    [Fact]
    public async Task One_cause_is_reported_once()
    {
        await using var ws = await Workspace.CreateAsync();
        ws.Configure(c =>
        {
            c.Subjobs[1].Filter = "DATAAREAID = = @DataAreaId";
            c.Subjobs.Add(new SubjobSettings { Id = c.Subjobs[0].Id, HqTable = "NOSUCHTABLE", Filter = "X = =" });
            c.Jobs.Add(new JobSettings { Id = c.Jobs[0].Id, Subjobs = ["NOSUCHSUBJOB"] });
            c.DataGroups.Add(new DataGroupSettings { Id = c.DataGroups[0].Id });
            c.Schedules.Add(new ScheduleSettings { Name = c.Schedules[0].Name, Jobs = ["NOSUCHJOB"], DataGroups = ["NOSUCHGROUP"] });
        });
        var problems = await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default);
        var text = string.Join("\n", problems);
        Assert.Single(problems, p => p.Path == "$.subjobs[1].filter");
        var dupSubjob = $"$.subjobs[{ws.Config.Subjobs.Count - 1}]";
        var dupJob = $"$.jobs[{ws.Config.Jobs.Count - 1}]";
        var dupGroup = $"$.dataGroups[{ws.Config.DataGroups.Count - 1}]";
        var dupSchedule = $"$.schedules[{ws.Config.Schedules.Count - 1}]";
        foreach (var dup in new[] { dupSubjob, dupJob, dupGroup, dupSchedule })
        {
            var path = dup + (dup == dupSchedule ? ".name" : ".id");
            Assert.True(problems.Count(p => p.Path.StartsWith(dup, StringComparison.Ordinal)) == 1, $"{dup} reported more than once:\n{text}");
            Assert.Contains(problems, p => p.Path == path && p.Message.Contains("duplicate"));
        }
        Assert.DoesNotContain("not defined", text);
    }

    [Theory]
    [InlineData(ConfigurationOrigin.Parameter, "-ConfigurationPath")]
    [InlineData(ConfigurationOrigin.EnvironmentVariable, "$env:ASYNCSERVER_CONFIGURATION")]
    [InlineData(ConfigurationOrigin.CurrentFolder, "current folder")]
    public void A_missing_configuration_file_says_where_its_path_came_from(ConfigurationOrigin origin, string source)
    {
        using var folder = new TempFolder("noconfig");
        var ex = Assert.Throws<AsyncServerException>(() => ConfigurationLoader.Load(folder.File("asyncserver.json"), origin));
        Assert.Equal(ErrorIds.ConfigurationNotFound, ex.ErrorId);
        Assert.Contains(source, ex.Message);
        Assert.Contains("Name another file with -ConfigurationPath", ex.Message);
    }

    public static TheoryData<string> QuoteCharacters => new() { "'", "\u2018", "\u2019", "\u201A", "\u201B" };

    [Theory]
    [MemberData(nameof(QuoteCharacters))]
    public void Every_PowerShell_single_quote_is_doubled_in_a_literal(string quote)
    {
        var literal = CommandLines.PowerShellLiteral($"Nightly{quote}; Remove-Item -Recurse / ;{quote}");
        var inner = literal[1..^1];
        // Inside the literal every quote character comes in pairs, so none ends it.
        for (var i = 0; i < inner.Length; i++)
            if ("'\u2018\u2019\u201A\u201B".Contains(inner[i]))
            {
                Assert.True(i + 1 < inner.Length && inner[i + 1] == inner[i], $"lone quote at {i} in {literal}");
                i++;
            }
    }

    public static TheoryData<string> UnitFileBreakers => new() { "a\nExecStartPre=+/bin/touch /tmp/pwned", "a\rb", "a\u2028b", "ends with \\" };

    [Theory]
    [MemberData(nameof(UnitFileBreakers))]
    public void A_systemd_value_cannot_start_a_new_line(string value)
    {
        var ex = Assert.Throws<AsyncServerException>(() => CommandLines.SystemdValue(value));
        Assert.Equal(ErrorIds.ConfigurationInvalid, ex.ErrorId);
        Assert.DoesNotContain('\n', ex.Message);
        if (!value.EndsWith('\\')) Assert.Throws<AsyncServerException>(() => CommandLines.SystemdWord(value));
        Assert.DoesNotContain('\n', CommandLines.SystemdComment("# " + value));
    }
}
