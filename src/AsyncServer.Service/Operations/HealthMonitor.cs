using AsyncServer.Configuration;
using AsyncServer.Operations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Service.Operations;

/// <summary>
/// Reads every store's health on the poll interval (one query), publishes it to the health gauges and logs the alerts.
/// Runs in every mode that has the AsyncServer configuration (not at a store: --mode Client). A failed read is logged
/// and tried again at the next poll.
/// </summary>
public sealed class HealthMonitor(ServiceOptions options, ILoggerFactory loggerFactory, TimeProvider time) : BackgroundService
{
    private readonly ILogger _log = loggerFactory.CreateLogger("AsyncServer.Health");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var alerts = new HealthAlerts(_log);
        var config = ConfigurationLoader.Load(options.ConfigurationPath);
        var browser = new ChannelHealthBrowser(new EngineContext(config, loggerFactory, instanceId: options.InstanceId, time: time));
        using var timer = new PeriodicTimer(options.Operations.PollInterval, time);
        do
        {
            try
            {
                var health = await browser.GetAsync(stoppingToken).ConfigureAwait(false);
                HealthMetrics.Publish(health);
                alerts.Observe(health);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log.LogWarning("Could not read the stores' health: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
