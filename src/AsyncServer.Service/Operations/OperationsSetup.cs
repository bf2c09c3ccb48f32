using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace AsyncServer.Service.Operations;

/// <summary>What the service host adds for operations: the health monitor (where there is a configuration) and the OTLP push.</summary>
public static class OperationsSetup
{
    public static void AddTo(IServiceCollection services, ServiceOptions options)
    {
        // A store's service (--mode Client) has no message database to read health from.
        if (options.Mode != ServiceMode.Client) services.AddHostedService<HealthMonitor>();
        if (options.Operations.OtlpEndpoint is not { } endpoint) return;
        services.AddOpenTelemetry().ConfigureResource(r => OperationsRoutes.Describe(r, options))
            .WithMetrics(m => m.AddMeter(OperationsRoutes.Meters).AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = options.Operations.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            }));
    }
}
