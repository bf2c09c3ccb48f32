using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AsyncServer.Service;

/// <summary>
/// What the service runs: distribution schedules (Server), the reference client for one store (Client), both, or
/// only the HTTPS endpoint stores call (Endpoint). Server, Client and Both also serve the endpoint when --listen is given.
/// </summary>
public enum ServiceMode { Server, Client, Both, Endpoint }

/// <summary>
/// The service's own settings, from an optional JSON file (--settings) overridden by command-line options.
/// The distribution itself (jobs, data groups, schedules, databases) stays in the AsyncServer configuration.
/// </summary>
public sealed class ServiceOptions
{
    public const int DefaultMaxParallelRuns = 2;

    /// <summary>The AsyncServer configuration file (asyncserver.json).</summary>
    public string ConfigurationPath { get; init; } = "";
    /// <summary>How many runs may go on at once; each schedule still runs once at a time.</summary>
    public int MaxParallelRuns { get; init; } = DefaultMaxParallelRuns;
    /// <summary>Only these schedules; empty: every active schedule that has a recurrence.</summary>
    public IReadOnlyList<string> Schedules { get; init; } = [];
    public ServiceMode Mode { get; init; } = ServiceMode.Server;
    /// <summary>Client mode: the channel database whose packages are received.</summary>
    public string? ClientChannelDatabase { get; init; }
    /// <summary>Client mode: how often Receive-AsyncPackage runs.</summary>
    public TimeSpan ClientInterval { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Client mode over the endpoint (client.server etc. in the settings file); null: the direct client with the configuration.</summary>
    public EndpointClientSettings? ClientEndpoint { get; init; }
    /// <summary>Recorded on sessions and leases; default host:pid.</summary>
    public string? InstanceId { get; init; }
    /// <summary>How long a stop waits for canceled runs to finish recording; keep it below systemd's TimeoutStopSec.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(90);
    /// <summary>Where the endpoint listens (https://ADDRESS:PORT); empty: no endpoint (docs/endpoint.md).</summary>
    public IReadOnlyList<string> Listen { get; init; } = [];
    /// <summary>The "operations" section: health polling, the operator's credential, OTLP (docs/operations.md).</summary>
    public Operations.OperationsSettings Operations { get; init; } = new();

    public bool Distributes => Mode is ServiceMode.Server or ServiceMode.Both;
    public bool Receives => Mode is ServiceMode.Client or ServiceMode.Both;
    public bool Serves => Listen.Count > 0;

    /// <summary>Command-line options and the setting each one sets.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--configuration-path"] = "ConfigurationPath",
        ["-c"] = "ConfigurationPath",
        ["--max-parallel-runs"] = "MaxParallelRuns",
        ["--schedules"] = "Schedules",
        ["--mode"] = "Mode",
        ["--client-channel-database"] = "Client:ChannelDatabase",
        ["--client-interval"] = "Client:Interval",
        ["--instance-id"] = "InstanceId",
        ["--shutdown-timeout"] = "ShutdownTimeout",
        ["--settings"] = "Settings",
        ["--listen"] = "Listen",
    };

    public const string Usage = """
        AsyncServer.Service: runs AsyncServer distribution schedules (and optionally the client) until stopped.
        Usage: dotnet AsyncServer.Service.dll --configuration-path <asyncserver.json> [options]
          --configuration-path, -c <file>   the AsyncServer configuration (default: $ASYNCSERVER_CONFIGURATION, else ./asyncserver.json)
          --max-parallel-runs <n>           runs at once, each schedule once at a time (default 2)
          --schedules <a,b>                 only these schedules (default: every active schedule with a recurrence)
          --mode Server|Client|Both|Endpoint  distribute (default), receive packages for a store, both, or only serve the endpoint
          --listen <url,url>                serve the HTTPS endpoint stores call, e.g. https://0.0.0.0:8443 (docs/endpoint.md;
                                            the certificate and limits are in the settings file's "endpoint" section)
          --client-channel-database <id>    client mode: the channel database to receive packages for
          --client-interval <hh:mm:ss>      client mode: how often (default 00:05:00)
          --instance-id <text>              recorded on sessions and leases (default host:pid)
          --shutdown-timeout <hh:mm:ss>     how long a stop waits for canceled runs (default 00:01:30)
          --settings <file.json>            the same settings as JSON (camelCase names; "client": { "channelDatabase", "interval" },
                                            and for a client over the endpoint "server", "secretFile", "channelConnectionString",
                                            "channelProvider", "localFolder", "certificateThumbprint"; docs/endpoint.md)
        """;

    /// <summary>Reads and checks the settings; throws ArgumentException naming the setting that is wrong.</summary>
    public static ServiceOptions From(IConfiguration c)
    {
        var path = c["ConfigurationPath"];
        if (string.IsNullOrWhiteSpace(path)) path = Environment.GetEnvironmentVariable("ASYNCSERVER_CONFIGURATION");
        if (string.IsNullOrWhiteSpace(path)) path = "asyncserver.json";

        var maxText = c["MaxParallelRuns"];
        var max = DefaultMaxParallelRuns;
        if (maxText is not null && (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max < 1))
            throw new ArgumentException($"--max-parallel-runs '{maxText}' is not a whole number of at least 1.");

        var schedules = List(c, "Schedules");
        var listen = List(c, "Listen");

        var modeText = c["Mode"];
        var mode = ServiceMode.Server;
        if (modeText is not null && !Enum.TryParse(modeText, ignoreCase: true, out mode))
            throw new ArgumentException($"--mode '{modeText}' is not one of Server, Client, Both, Endpoint.");
        if (mode == ServiceMode.Endpoint && listen.Count == 0)
            throw new ArgumentException("--mode Endpoint needs --listen (or \"listen\" in the settings file): the addresses to serve the endpoint on.");
        var channelDatabase = c["Client:ChannelDatabase"];
        if (mode is ServiceMode.Client or ServiceMode.Both && string.IsNullOrWhiteSpace(channelDatabase))
            throw new ArgumentException($"--mode {mode} needs --client-channel-database (the channel database to receive packages for).");
        if (mode == ServiceMode.Server && !string.IsNullOrWhiteSpace(channelDatabase))
            mode = ServiceMode.Both;

        return new ServiceOptions
        {
            ConfigurationPath = Path.GetFullPath(path),
            MaxParallelRuns = max,
            Schedules = schedules,
            Mode = mode,
            ClientChannelDatabase = string.IsNullOrWhiteSpace(channelDatabase) ? null : channelDatabase.Trim(),
            ClientInterval = Span(c, "Client:Interval", "--client-interval") ?? TimeSpan.FromMinutes(5),
            InstanceId = string.IsNullOrWhiteSpace(c["InstanceId"]) ? null : c["InstanceId"],
            ShutdownTimeout = Span(c, "ShutdownTimeout", "--shutdown-timeout") ?? TimeSpan.FromSeconds(90),
            Listen = listen,
            ClientEndpoint = EndpointClientSettings.From(c.GetSection("Client")),
            Operations = AsyncServer.Service.Operations.OperationsSettings.From(c.GetSection("Operations")),
        };
    }

    /// <summary>
    /// The store's side of the endpoint for --mode Client: "client": { "server", "secretFile", "channelConnectionString",
    /// "channelProvider", "localFolder", "certificateThumbprint" }. The secret is read from its file at every run, so a
    /// rotated secret needs no restart; it is never a command-line option.
    /// </summary>
    public sealed record EndpointClientSettings(
        Uri Server, string SecretFile, string ChannelConnectionString, string? ChannelProvider, string? LocalFolder, string? CertificateThumbprint)
    {
        public static EndpointClientSettings? From(IConfigurationSection c)
        {
            var server = c["Server"];
            if (string.IsNullOrWhiteSpace(server)) return null;
            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                throw new ArgumentException($"client.server '{server}' is not a URL such as https://hq.example.com:8443.");
            var secretFile = c["SecretFile"];
            if (string.IsNullOrWhiteSpace(secretFile))
                throw new ArgumentException("client.server needs client.secretFile: the file holding the channel database's endpoint secret.");
            var connection = c["ChannelConnectionString"];
            if (string.IsNullOrWhiteSpace(connection))
                throw new ArgumentException("client.server needs client.channelConnectionString: the store's own channel database.");
            return new EndpointClientSettings(uri, Path.GetFullPath(secretFile), connection, c["ChannelProvider"],
                c["LocalFolder"] is { Length: > 0 } f ? Path.GetFullPath(f) : null, c["CertificateThumbprint"]);
        }
    }

    /// <summary>A JSON array or a comma-separated value (the command line).</summary>
    private static List<string> List(IConfiguration c, string key)
    {
        var section = c.GetSection(key);
        var values = section.GetChildren().Select(s => s.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToList();
        if (values.Count == 0 && !string.IsNullOrWhiteSpace(section.Value))
            values = section.Value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return values;
    }

    private static TimeSpan? Span(IConfiguration c, string key, string option)
    {
        var text = c[key];
        if (text is null) return null;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero
            ? t : throw new ArgumentException($"{option} '{text}' is not a positive time span such as 00:05:00.");
    }
}
