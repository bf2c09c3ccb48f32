using System.Diagnostics;
using System.Diagnostics.Metrics;
using AsyncServer.Diagnostics;

namespace AsyncServer.Operations;

/// <summary>
/// The health gauges: channel databases by data group and state, pending and failed sessions per data group. They are
/// observed from the latest health read that <see cref="Publish"/> was given (the service's health monitor reads it on
/// its poll), so a scrape never queries the message database. Before the first read they report nothing.
/// </summary>
public static class HealthMetrics
{
    private static IReadOnlyList<ChannelDatabaseHealth> _latest = [];

    private static readonly ObservableGauge<int> ChannelDatabases = AsyncServerMetrics.Meter.CreateObservableGauge(
        "asyncserver.channel_database.count", ObserveStates, "{channel_database}", "Configured channel databases by data group and health state.");
    private static readonly ObservableGauge<int> Pending = AsyncServerMetrics.Meter.CreateObservableGauge(
        "asyncserver.session_target.pending", () => PerGroup(h => h.PendingSessions), "{session}",
        "Sessions not applied yet at the channel databases of a data group (pending targets).");
    private static readonly ObservableGauge<int> Failed = AsyncServerMetrics.Meter.CreateObservableGauge(
        "asyncserver.session_target.failed", () => PerGroup(h => h.FailedSessions), "{session}",
        "Sessions that failed at the channel databases of a data group (DownloadFailed, ApplyFailed).");

    public const string StateTag = "asyncserver.channel_database.state";

    /// <summary>The instruments, so a caller can make sure they exist before a listener starts.</summary>
    public static IReadOnlyList<Instrument> Instruments => [ChannelDatabases, Pending, Failed];

    /// <summary>Makes <paramref name="health"/> what the gauges report from now on.</summary>
    public static void Publish(IReadOnlyList<ChannelDatabaseHealth> health) => Volatile.Write(ref _latest, health);

    private static IEnumerable<Measurement<int>> ObserveStates()
    {
        var latest = Volatile.Read(ref _latest);
        foreach (var group in latest.Select(h => h.DataGroup).Distinct(StringComparer.OrdinalIgnoreCase))
            foreach (var state in Enum.GetValues<ChannelHealthState>())
                yield return new Measurement<int>(latest.Count(h => h.DataGroup == group && h.State == state),
                    new TagList { { AsyncServerMetrics.DataGroupTag, group }, { StateTag, state.ToString() } });
    }

    private static IEnumerable<Measurement<int>> PerGroup(Func<ChannelDatabaseHealth, int> value)
        => Volatile.Read(ref _latest).GroupBy(h => h.DataGroup, StringComparer.OrdinalIgnoreCase)
            .Select(g => new Measurement<int>(g.Sum(value), new TagList { { AsyncServerMetrics.DataGroupTag, g.Key } }));
}
