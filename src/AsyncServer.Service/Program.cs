using AsyncServer.Service;
using AsyncServer.Service.Endpoint;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The AsyncServer worker host: a Windows service, a systemd service (Type=notify) or a console process.
if (args.Any(a => a is "--help" or "-h" or "-?" or "/?"))
{
    Console.WriteLine(ServiceOptions.Usage);
    return 0;
}
var unknown = args.Where((a, i) => a.StartsWith('-') && !ServiceOptions.Switches.ContainsKey(a.Split('=')[0])
    && !(i > 0 && ServiceOptions.Switches.ContainsKey(args[i - 1]))).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown option(s): {string.Join(", ", unknown)}.");
    Console.Error.WriteLine(ServiceOptions.Usage);
    return 2;
}

var builder = Host.CreateApplicationBuilder(
    new HostApplicationBuilderSettings { Args = args, DisableDefaults = true, ContentRootPath = Directory.GetCurrentDirectory() });
var switches = ServiceOptions.Switches.ToDictionary(kv => kv.Key, kv => kv.Value);
var settingsFile = new ConfigurationBuilder().AddCommandLine(args, switches).Build()["Settings"];
if (settingsFile is not null) builder.Configuration.AddJsonFile(Path.GetFullPath(settingsFile), optional: false);
builder.Configuration.AddEnvironmentVariables("ASYNCSERVER_SERVICE_");
builder.Configuration.AddCommandLine(args, switches);

ServiceOptions options;
EndpointSettings? endpoint = null;
try
{
    options = ServiceOptions.From(builder.Configuration);
    if (options.Serves) endpoint = EndpointSettings.From(options.Listen, builder.Configuration);
}
catch (Exception ex) when (ex is ArgumentException or InvalidDataException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-dd HH:mm:ss "; o.UseUtcTimestamp = true; });
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
// Kestrel and routing log two Information lines per request: a poll storm would write the journal full. Failures still log.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
// The analyzer does not carry the outer Windows check into the lambda, hence the inner one.
if (OperatingSystem.IsWindows()) builder.Logging.AddEventLog(s => { if (OperatingSystem.IsWindows()) s.SourceName = "AsyncServer"; });
// Under systemd: journald-friendly console lines and sd_notify READY/STOPPING; elsewhere these do nothing.
builder.Services.AddSystemd();
builder.Services.AddWindowsService(o => o.ServiceName = "AsyncServer");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new CmdletHost(options.MaxParallelRuns + 1, sp.GetRequiredService<ILogger<CmdletHost>>()));
if (options.Distributes || options.Receives) builder.Services.AddHostedService<ScheduleWorker>();
AsyncServer.Service.Operations.OperationsSetup.AddTo(builder.Services, options);
if (endpoint is not null)
{
    builder.Services.AddSingleton(endpoint);
    builder.Services.AddHostedService<EndpointHost>();
}

using var host = builder.Build();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AsyncServer.Service");
log.LogInformation("AsyncServer service starting: configuration {Configuration}, mode {Mode}, at most {Max} run(s) at once.",
    options.ConfigurationPath, options.Mode, options.MaxParallelRuns);
try
{
    await host.RunAsync();
    log.LogInformation("AsyncServer service stopped.");
    return Environment.ExitCode;
}
catch (Exception ex)
{
    log.LogCritical("AsyncServer service failed: {Message}", ex.Message);
    return 1;
}
