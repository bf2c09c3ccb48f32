using AsyncServer.Tests.Support;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Providers;

namespace AsyncServer.Tests.Configuration;

public sealed class SecretTests
{
    [Fact]
    public void Environment_placeholders_are_substituted_and_redacted_for_display()
    {
        Environment.SetEnvironmentVariable("ASYNCSERVER_TEST_PW", "s3cr3t!");
        var resolved = ResolvedConnection.Resolve(new ConnectionSettings { Provider = "postgresql", ConnectionString = "Host=127.0.0.1;Username=hq;Password=${env:ASYNCSERVER_TEST_PW}" }, "$.hq", "/tmp");
        Assert.Contains("s3cr3t!", resolved.ConnectionString);
        Assert.DoesNotContain("s3cr3t!", resolved.Display);
        Assert.DoesNotContain("s3cr3t!", resolved.ToString());
        Assert.Contains("1 more setting(s) not shown", resolved.Display);
    }

    [Fact]
    public void A_credential_fills_user_and_password_only_when_asked()
    {
        var settings = new ConnectionSettings { Provider = "sqlserver", ConnectionString = "Server=hq;Database=AX", UseCredential = true };
        var missing = Assert.Throws<AsyncServerException>(() => ResolvedConnection.Resolve(settings, "$.hq", "/tmp"));
        Assert.Contains("-Credential", missing.Message);
        var resolved = ResolvedConnection.Resolve(settings, "$.hq", "/tmp", new System.Net.NetworkCredential("axadmin", "pa55"));
        Assert.Contains("pa55", resolved.ConnectionString);
        Assert.Contains("axadmin", resolved.Display);
        Assert.DoesNotContain("pa55", resolved.Display);
    }

    [Fact]
    public async Task Errors_about_a_connection_show_only_the_redacted_form()
    {
        var connection = ResolvedConnection.FromString(DatabaseProvider.Sqlite, "Data Source=/nonexistent/dir/m.db;Password=hunter2");
        await using var store = ProviderFactory.CreateMessageStore(connection);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => store.EnsureReadyAsync(default));
        Assert.DoesNotContain("hunter2", ex.Message);
        Assert.DoesNotContain("hunter2", ex.Target?.ToString() ?? "");
    }
}
