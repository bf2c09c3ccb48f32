using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.Samples;
using Microsoft.Data.Sqlite;

namespace AsyncServer.PowerShell.Tests;

/// <summary>Issue 12 at the cmdlets: points 13, 15 and 18 as a user meets them.</summary>
public sealed class HardeningCmdletTests : IAsyncLifetime
{
    private string _folder = "";
    private PowerShellHost _host = null!;
    private string ConfigPath => Path.Combine(_folder, "asyncserver.json");

    public async Task InitializeAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "asyncserver-hardening", Guid.NewGuid().ToString("N"));
        await SampleEnvironment.CreateAsync(_folder, 8, default);
        _host = new PowerShellHost(_folder);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private void Configure(Action<AsyncServerConfiguration> change)
    {
        var config = ConfigurationLoader.Load(ConfigPath);
        change(config);
        ConfigurationLoader.Save(config, ConfigPath);
    }

    [Fact]
    public void A_locked_message_database_is_named_reported_as_waiting_and_ends_with_an_id_and_a_hint()
    {
        Configure(c => c.MessageDatabase!.ConnectionString = "Data Source=message.db;Default Timeout=2");
        using var holder = new SqliteConnection($"Data Source={Path.Combine(_folder, "message.db")};Pooling=False");
        holder.Open();
        using (var begin = holder.CreateCommand()) { begin.CommandText = "BEGIN EXCLUSIVE"; begin.ExecuteNonQuery(); }

        var (_, ps) = _host.Run("Start-AsyncDistribution -Job 1020 -DataGroup USRT-Stores -Verbose");
        var error = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("DatabaseLocked", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
        Assert.Contains("message.db", error.Exception.Message);
        Assert.Contains("Hint:", error.Exception.Message);
        Assert.Contains(ps.Streams.Verbose, v => v.Message.Contains("message.db") && v.Message.Contains("waiting"));
        // Said once per database and command, however many connections the command opens while it waits.
        Assert.Single(ps.Streams.Verbose, v => v.Message.Contains("is locked by another writer"));
    }

    [Fact]
    public void Numbers_out_of_range_stop_every_cmdlet_with_the_JSON_path_before_any_work()
    {
        Configure(c => { c.RetentionDays = int.MaxValue; c.LeaseSeconds = int.MaxValue; });
        var (_, ps) = _host.Run("Move-AsyncStatusMessage");
        var error = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("ConfigurationInvalid", error.FullyQualifiedErrorId);
        Assert.Contains("$.retentionDays", error.Exception.Message);
        Assert.Contains("$.leaseSeconds", error.Exception.Message);
        Assert.DoesNotContain("TimeSpan", error.Exception.Message);

        var problems = _host.Invoke("Test-AsyncConfiguration -SkipCatalog").Select(o => (ConfigurationProblem)o.BaseObject).ToList();
        Assert.Contains(problems, p => p.Path == "$.retentionDays");
    }

    [Fact]
    public void A_missing_configuration_says_where_the_path_came_from()
    {
        var (_, ps) = _host.Run("Get-AsyncSession -ConfigurationPath ./nosuch.json");
        var error = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("ConfigurationNotFound", error.FullyQualifiedErrorId);
        Assert.Contains("given by -ConfigurationPath", error.Exception.Message);

        File.Delete(ConfigPath);
        (_, ps) = _host.Run("$env:ASYNCSERVER_CONFIGURATION = $null; Get-AsyncSession");
        Assert.Contains("current folder", Assert.Single(ps.Streams.Error).Exception.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_reported_by_Test_AsyncConfiguration_not_thrown()
    {
        Configure(c => c.MessageDatabase!.ConnectionString = "Data Source=message.db;Default Timeout=abc");
        var (output, ps) = _host.Run("Test-AsyncConfiguration");
        Assert.Empty(ps.Streams.Error);
        Assert.Contains(output.Select(o => (ConfigurationProblem)o.BaseObject), p => p.Path == "$.messageDatabase.connectionString" && p.Message.Contains("default timeout", StringComparison.OrdinalIgnoreCase));
    }
}
