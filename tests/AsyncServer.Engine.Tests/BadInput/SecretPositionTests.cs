using AsyncServer.Checks;
using AsyncServer.Client;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Distribution;
using AsyncServer.Providers;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// Issue 12, points 6 and 16: a secret in every position of a connection string, for every provider, never
/// reaches a message, an error's target, a display form, a configuration report or a stored failure reason;
/// a string the driver refuses is reported with its JSON path, never echoed.
/// </summary>
public sealed class SecretPositionTests
{
    private const string Secret = "Zq9-S3CRET-vw";

    /// <summary>Provider and connection string, each with <see cref="Secret"/> somewhere a secret may be.</summary>
    public static TheoryData<string, string> Positions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (provider, place) in new[] { ("postgresql", "Host=127.0.0.1;Port=1;Database=ax;Username=async;Timeout=2"), ("sqlserver", "Server=127.0.0.1,1;Database=AX;User ID=async;Connect Timeout=1;Encrypt=false"), ("sqlite", "Data Source=nosuch-dir/m.db") })
        {
            data.Add(provider, $"{place};Password={Secret}");
            data.Add(provider, $"Password={Secret};{place}");
            data.Add(provider, $"{place};Pwd={Secret}");
            data.Add(provider, $"{place};Passwrd={Secret}");           // misspelled keyword
            data.Add(provider, $"{place};SSL Password={Secret}");      // a secret key no deny-list named
            data.Add(provider, $"{place};Password=\"{Secret};x=y\"");  // quoted, with separators inside
            data.Add(provider, $"{place};Password='{Secret}");         // unterminated quote
            data.Add(provider, $"{place};Password={Secret};Connect Timeout=abc"); // a bad value after the secret
            data.Add(provider, $"{place};Password={Secret};=broken");  // does not parse
            data.Add(provider, $"{place};{Secret}");                   // the secret where a key should be
            data.Add(provider, $"{place};Access Token={Secret}");
        }
        data.Add("postgresql", $"postgresql://async:{Secret}@127.0.0.1:1/ax");
        data.Add("postgresql", $"postgres://async:{Secret}@127.0.0.1:1/ax?sslmode=disable");
        data.Add("sqlserver", $"mssql://async:{Secret}@127.0.0.1/AX");
        return data;
    }

    private static void AssertClean(string? text, string where)
    {
        if (text is not null && text.Contains(Secret, StringComparison.OrdinalIgnoreCase))
            throw new Xunit.Sdk.XunitException($"the secret reached {where}: {text}");
    }

    private static void AssertClean(Exception ex, string where)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is AsyncServerException a) AssertClean(a.Target?.ToString(), where + " target");
            if (e == ex) AssertClean(e.Message, where + " message");
        }
        if (ex is not AsyncServerException) throw new Xunit.Sdk.XunitException($"{where}: a raw {ex.GetType().Name} instead of an AsyncServer error: {ex.Message}");
    }

    [Theory]
    [MemberData(nameof(Positions))]
    public async Task A_secret_reaches_no_message_target_or_display(string provider, string connectionString)
    {
        using var folder = new TempFolder("secret");
        var settings = new ConnectionSettings { Provider = provider, ConnectionString = connectionString };
        ResolvedConnection resolved;
        try { resolved = ResolvedConnection.Resolve(settings, "$.hq", folder.Path); }
        catch (Exception ex)
        {
            AssertClean(ex, "Resolve");
            Assert.Equal(ErrorIds.ConfigurationInvalid, ((AsyncServerException)ex).ErrorId);
            Assert.Contains("$.hq.connectionString", ex.Message);
            return;
        }
        AssertClean(resolved.Display, "Display");
        AssertClean(resolved.ToString(), "ToString");
        await using var store = ProviderFactory.CreateMessageStore(resolved);
        var failed = await Record.ExceptionAsync(() => store.EnsureReadyAsync(default));
        Assert.NotNull(failed);
        AssertClean(failed!, "opening the message store");
    }

    [Theory]
    [MemberData(nameof(Positions))]
    public async Task Test_AsyncConfiguration_reports_every_position_without_the_secret(string provider, string connectionString)
    {
        using var folder = new TempFolder("secretcfg");
        var config = ConfigurationLoader.Parse("{}");
        config.BaseDirectory = folder.Path;
        config.Hq = new ConnectionSettings { Provider = provider, ConnectionString = connectionString };
        config.MessageDatabase = new ConnectionSettings { Provider = provider, ConnectionString = connectionString };
        var problems = await ConfigurationValidator.ValidateAsync(new EngineContext(config), checkCatalog: true, default);
        foreach (var p in problems) AssertClean(p.ToString(), "a configuration problem");
        // Reported, not thrown: refused at resolution, unreachable, or (a SQLite file not there yet) not initialized.
        Assert.Contains(problems, p => p.Path.StartsWith("$.messageDatabase", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("postgresql", "Host=127.0.0.1;Timeout=abc", "value of 'Timeout'")]
    [InlineData("postgresql", "Host=127.0.0.1;Connect Timeout=abc", "does not know the keyword of 'Connect Timeout'")] // Npgsql calls it Timeout
    [InlineData("sqlserver", "Server=x;Connect Timeout=abc", "value of 'Connect Timeout'")]
    [InlineData("sqlite", "Data Source=x.db;Default Timeout=abc", "value of 'Default Timeout'")]
    [InlineData("postgresql", "postgresql://u@127.0.0.1/ax", "is a URI (postgresql://...)")]
    [InlineData("postgresql", "Host=127.0.0.1;Colour=blue", "does not know the keyword of setting 2 of 2")]
    [InlineData("sqlite", "just some text", "not a list of key=value pairs")]
    public void A_malformed_connection_string_is_a_clear_error_with_its_JSON_path(string provider, string connectionString, string expected)
    {
        var ex = Assert.Throws<AsyncServerException>(() => ResolvedConnection.Resolve(new ConnectionSettings { Provider = provider, ConnectionString = connectionString }, "$.messageDatabase", "/tmp"));
        Assert.Equal(ErrorIds.ConfigurationInvalid, ex.ErrorId);
        Assert.Equal("$.messageDatabase.connectionString", ex.Target);
        Assert.True(ex.Message.Contains(expected, StringComparison.OrdinalIgnoreCase), ex.Message);
    }

    [Fact]
    public async Task An_unreachable_or_uninitialized_message_database_is_reported_by_Test_AsyncConfiguration()
    {
        await using var ws = await Workspace.CreateAsync();
        ws.Configure(c => c.MessageDatabase = new ConnectionSettings { Provider = "postgresql", ConnectionString = "Host=127.0.0.1;Port=1;Database=m;Username=u;Timeout=2" });
        var problems = await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default);
        Assert.Contains(problems, p => p.Path == "$.messageDatabase.connectionString" && p.Severity == ProblemSeverity.Error && p.Message.Contains("cannot be used"));

        ws.Configure(c => c.MessageDatabase = new ConnectionSettings { ConnectionString = "Data Source=fresh.db" });
        problems = await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default);
        Assert.Contains(problems, p => p.Path == "$.messageDatabase.connectionString" && p.Severity == ProblemSeverity.Warning && p.Message.Contains("Initialize-AsyncMessageDatabase"));
    }

    public static TheoryData<string> ChannelSecrets => new()
    {
        // Keywords the SQLite driver accepts, so the string gets past resolution and fails when the channel opens.
        $";Password={Secret}", $";Password=\"{Secret};x=y\"", $";Password={Secret};Foreign Keys=True",
    };

    [Theory]
    [MemberData(nameof(ChannelSecrets))]
    public async Task A_failed_apply_stores_no_secret_in_session_targets_or_status_messages(string secretPart)
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] });
        var receiver = new PackageReceiver(h.Context);
        var request = new ReceiveRequest("HOUSTON") { ChannelConnectionString = $"Data Source={h.ChannelFile("HOUSTON")}{secretPart}" };
        await receiver.RunAsync(request, null, default);
        var sessions = await h.SessionsAsync();
        var messages = sessions.SelectMany(s => s.Targets).Select(t => t.Message).ToList();
        Assert.Contains(sessions.SelectMany(s => s.Targets), t => t.Status is Messaging.SessionStatus.ApplyFailed or Messaging.SessionStatus.DownloadFailed);
        foreach (var m in messages) AssertClean(m, "session_targets.message");
        await using var store = h.Context.OpenMessageStore();
        foreach (var m in await store.GetUnmovedStatusMessagesAsync(10_000, default)) AssertClean(m.Message, "status_messages.message");
    }
}
