using System.Text.RegularExpressions;
using AsyncServer.ChangeTracking;
using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Providers.SqlServer;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.SqlServer;

/// <summary>examples/sqlserver-ax2012.json, the worked example of docs/sqlserver.md (jobs 1040 and 1010 on an AX 2012 HQ).</summary>
public sealed class SqlServerExampleConfigurationTests
{
    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AsyncServer.sln")))
                return Path.Combine(dir.FullName, relative);
        throw new InvalidOperationException("The repository root (AsyncServer.sln) was not found above " + AppContext.BaseDirectory);
    }

    private static string ExamplePath => RepositoryFile(Path.Combine("examples", "sqlserver-ax2012.json"));

    [Fact]
    public void The_example_loads_and_validates_without_problems()
    {
        var config = ConfigurationLoader.Load(ExamplePath);
        var problems = ConfigurationValidator.ValidateDocument(config);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal("sqlserver", config.Hq!.Provider);
        Assert.Equal("sqlserver", config.MessageDatabase!.Provider);
        Assert.Equal(["1040", "1010"], config.Jobs.Select(j => j.Id));
        Assert.All(config.DataGroups.SelectMany(g => g.ChannelDatabases), db => Assert.Equal("sqlserver", db.Connection!.Provider));
        Assert.All(config.Subjobs, s => Assert.StartsWith("ax.", s.ChannelTable));
    }

    [Fact]
    public void The_documentation_shows_the_example_file_verbatim()
    {
        var doc = File.ReadAllText(RepositoryFile(Path.Combine("docs", "sqlserver.md")));
        var block = Regex.Match(doc, "```json\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "docs/sqlserver.md has no json block");
        Assert.Equal(File.ReadAllText(ExamplePath).ReplaceLineEndings("\n"), block.Groups[1].Value.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Every_subjob_of_the_example_renders_clean_SQL_Server_extraction_against_AX_like_tables()
    {
        // The demo schema has the example's tables and columns (RECID, PARTITION, DATAAREAID, PRODUCT, PARTY).
        using var folder = new TempFolder("sqlserver-example");
        var hq = ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={folder.File("hq.db")}");
        await using (var conn = await SqliteConnections.OpenAsync(hq, create: true, default))
            await SqliteConnections.ExecuteAsync(conn, SampleSchema.Ddl, default);
        var config = ConfigurationLoader.Load(ExamplePath);
        await using var source = new SqliteChangeSource(hq);
        var (subjobs, problems) = await CatalogChecker.ResolveAsync(config, source, null, default);
        Assert.Empty(problems);
        Assert.Equal(6, subjobs.Count);
        foreach (var group in config.DataGroups)
            foreach (var subjob in subjobs.Values)
            {
                var table = subjob.Table with { Schema = "dbo" };
                var parents = subjob.ParentTables.ToDictionary(p => p.Key, p => p.Value with { Schema = "dbo" }, StringComparer.OrdinalIgnoreCase);
                var query = new ExtractionQuery(table, subjob.Columns, subjob.KeyColumns, subjob.Filter, group.ChannelDatabases[0].Parameters, name => parents[name]);
                foreach (var incremental in new[] { false, true })
                {
                    var extraction = SqlServerSql.Extract(query, incremental);
                    SqlServerSqlTests.AssertClean(extraction.Sql);
                    Assert.DoesNotContain("5637144576", extraction.Sql);
                    Assert.Contains(extraction.Parameters, p => p.Value is long partition && partition == 5637144576L);
                }
            }
    }
}
