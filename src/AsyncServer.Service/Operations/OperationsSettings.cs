using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AsyncServer.Service.Operations;

/// <summary>
/// The settings file's "operations" section (docs/operations.md): how often the service reads every store's health (for
/// the alerts in the log and the gauges), who may see the status page and /metrics from another machine, and where to
/// push metrics over OTLP.
/// </summary>
public sealed class OperationsSettings
{
    /// <summary>How often the health of every store is read (default one minute).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The operator's user name for HTTP Basic on the status page and /metrics from other machines.</summary>
    public string OperatorUser { get; init; } = "operator";

    /// <summary>A file holding the operator's password; without it, the status page and /metrics answer loopback callers only.</summary>
    public string? OperatorPasswordFile { get; init; }

    /// <summary>An OTLP collector (http://collector:4317 for gRPC, or :4318 with OtlpProtocol http/protobuf); null: no push.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>grpc (default) or http/protobuf.</summary>
    public string OtlpProtocol { get; init; } = "grpc";

    public static OperationsSettings From(IConfigurationSection c)
    {
        var poll = c["PollInterval"];
        var interval = TimeSpan.FromMinutes(1);
        if (poll is not null && (!TimeSpan.TryParse(poll, CultureInfo.InvariantCulture, out interval) || interval < TimeSpan.FromSeconds(1)))
            throw new ArgumentException($"operations.pollInterval '{poll}' is not a time span of at least 00:00:01.");
        var otlp = c["OtlpEndpoint"];
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(otlp) && (!Uri.TryCreate(otlp, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
            throw new ArgumentException($"operations.otlpEndpoint '{otlp}' is not an http(s) URL such as http://collector:4317.");
        var protocol = c["OtlpProtocol"] ?? "grpc";
        if (protocol is not ("grpc" or "http/protobuf"))
            throw new ArgumentException($"operations.otlpProtocol '{protocol}' is not grpc or http/protobuf.");
        var user = c["OperatorUser"];
        return new OperationsSettings
        {
            PollInterval = interval,
            OperatorUser = string.IsNullOrWhiteSpace(user) ? "operator" : user.Trim(),
            OperatorPasswordFile = c["OperatorPasswordFile"] is { Length: > 0 } f ? Path.GetFullPath(f) : null,
            OtlpEndpoint = endpoint,
            OtlpProtocol = protocol,
        };
    }
}
