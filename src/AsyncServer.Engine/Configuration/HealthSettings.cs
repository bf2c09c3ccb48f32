using System.Text.Json.Serialization;

namespace AsyncServer.Configuration;

/// <summary>
/// <c>$.health</c>: how often stores are expected to call (their client's interval), and after how many missed
/// intervals a store counts as Silent (docs/operations.md).
/// </summary>
public sealed class HealthSettings
{
    public const int MaxContactIntervalSeconds = 7 * 86_400;
    public const int MaxSilentAfterIntervals = 1000;

    /// <summary>The stores' client interval in seconds (the service's client.interval, 5 minutes by default).</summary>
    public int ContactIntervalSeconds { get; set; } = 300;

    /// <summary>A store not heard from for longer than this many intervals is Silent.</summary>
    public int SilentAfterIntervals { get; set; } = 3;

    [JsonIgnore] public TimeSpan ContactInterval => TimeSpan.FromSeconds(ContactIntervalSeconds);

    /// <summary>How long a store may stay unheard before it is Silent.</summary>
    [JsonIgnore] public TimeSpan SilentAfter => TimeSpan.FromSeconds((double)ContactIntervalSeconds * SilentAfterIntervals);
}
