using System.Globalization;
using System.Text.RegularExpressions;
using AsyncServer.Tests.Support;

namespace AsyncServer.Service.Tests.Operations;

/// <summary>
/// Issue 16, points 2, 3 and 5: the real service on a SQLite or PostgreSQL message database whose stores are in each
/// state publishes the health gauges on its Prometheus endpoint (scraped over HTTP), logs one warning per store that is
/// Silent or Blocked however many polls pass, and one line when a store recovers.
/// </summary>
public sealed class MetricsAndAlertsTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static double? Sample(string scrape, string metric, params (string Label, string Value)[] labels)
    {
        foreach (var line in scrape.Split('\n'))
        {
            var m = Regex.Match(line, @"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\S+)");
            if (!m.Success || m.Groups["name"].Value != metric) continue;
            var present = Regex.Matches(m.Groups["labels"].Value, @"(\w+)=""([^""]*)""").ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            if (labels.All(l => present.GetValueOrDefault(l.Label) == l.Value)) return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return null;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_health_gauges_are_scraped_over_HTTP_and_each_problem_is_logged_once_until_it_recovers(bool postgres)
    {
        await using var setup = await OperationsSetup.CreateAsync("metrics", postgres ? await server.CreateDatabaseAsync("metrics") : null);
        using var http = new HttpClient { BaseAddress = setup.BaseAddress };
        var service = setup.Service;
        await service.WaitUntilAsync(() => service.Count("Store BLOCKED (G2) is Blocked behind session") == 1 && service.Count("Store SILENT (G2) is Silent") == 1,
            "the alerts");

        string scrape = "";
        await service.WaitUntilAsync(async () =>
        {
            scrape = await http.GetStringAsync("/metrics");
            return scrape.Contains("asyncserver_channel_database_count", StringComparison.Ordinal);
        }, "the gauges on /metrics");
        const string count = "asyncserver_channel_database_count", state = "asyncserver_channel_database_state", group = "asyncserver_data_group";
        foreach (var (g, db, s) in OperationsSetup.EveryState)
            Assert.Equal(1, Sample(scrape, count, (group, g), (state, s.ToString())));
        Assert.Equal(0, Sample(scrape, count, (group, "G2"), (state, "Healthy")));
        Assert.Equal(4, Sample(scrape, "asyncserver_session_target_pending", (group, "G1")));
        Assert.Equal(2, Sample(scrape, "asyncserver_session_target_pending", (group, "G2")));
        Assert.Equal(1, Sample(scrape, "asyncserver_session_target_failed", (group, "G2")));
        Assert.Equal(0, Sample(scrape, "asyncserver_session_target_failed", (group, "G1")));
        // The resource names the service (semantic conventions' service.name), not "unknown_service:...".
        Assert.Contains("service_name=\"asyncserver\"", scrape, StringComparison.Ordinal);
        // ASP.NET Core's own request metrics are exported beside the engine's (the endpoint's requests and latencies).
        // (The exporter caches a scrape for a moment, so the requests so far show in a later one.)
        await service.WaitUntilAsync(async () => (await http.GetStringAsync("/metrics")).Contains("http_server_request_duration_seconds_bucket",
            StringComparison.Ordinal), "the request metrics on /metrics");

        await setup.UnblockAsync();
        await service.WaitUntilAsync(() => service.Count("Store BLOCKED (G2) recovered: Blocked -> Behind.") == 1, "the recovery line");
        Assert.Equal(1, service.Count("Store BLOCKED (G2) is Blocked behind session"));
        Assert.Equal(1, service.Count("Store SILENT (G2) is Silent"));
        Assert.Equal(0, service.Count("Store BEHIND (G1) is"));
        Assert.Contains($"is Blocked behind session {setup.Sessions["BLOCKED"][0]}: ApplyFailed: Table INVENTTABLE is missing.", service.Log, StringComparison.Ordinal);
        await service.WaitUntilAsync(async () =>
            Sample(await http.GetStringAsync("/metrics"), count, (group, "G2"), (state, "Behind")) == 1, "the gauges to follow the recovery");
    }
}
