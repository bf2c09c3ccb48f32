using System.Reflection;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace AsyncServer.Service.Operations;

/// <summary>
/// The operator's routes on the service's listener (docs/operations.md): /metrics (Prometheus text), /status (the status
/// page), /status/overview and /status/sessions (its data, JSON). All behind <see cref="OperatorAccess"/>; none is in the
/// stores' OpenAPI document.
/// </summary>
public static class OperationsRoutes
{
    /// <summary>The meters the service exports: the engine's, and ASP.NET Core's own (requests and their durations).</summary>
    public static readonly string[] Meters = [AsyncServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    public static void AddServices(IServiceCollection services, ServiceOptions options, ILoggerFactory loggerFactory)
    {
        services.AddSingleton(new OperatorAccess(options.Operations));
        services.AddSingleton(_ => new StatusPageData(new EngineContext(ConfigurationLoader.Load(options.ConfigurationPath), loggerFactory,
            instanceId: options.InstanceId)));
        // The empty web builder registers no IMeterFactory, without which ASP.NET Core records no request metrics.
        services.AddMetrics();
        services.AddOpenTelemetry().ConfigureResource(r => Describe(r, options)).WithMetrics(m => m.AddMeter(Meters).AddPrometheusExporter());
    }

    /// <summary>
    /// service.name "asyncserver" and service.instance.id the instance id (as on sessions and leases), so a scrape or an
    /// OTLP push says which instance it came from instead of "unknown_service".
    /// </summary>
    internal static void Describe(ResourceBuilder resource, ServiceOptions options) =>
        resource.AddService("asyncserver", serviceVersion: typeof(OperationsRoutes).Assembly.GetName().Version?.ToString(),
            autoGenerateServiceInstanceId: options.InstanceId is null, serviceInstanceId: options.InstanceId);

    public static void Map(WebApplication app)
    {
        var access = app.Services.GetRequiredService<OperatorAccess>();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/status") || c.Request.Path.StartsWithSegments("/metrics"),
            a => a.Use(next => context => access.InvokeAsync(context, next)));
        app.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();
        app.MapGet("/status", Page).ExcludeFromDescription();
        app.MapGet("/status/script.js", () => TypedResults.Text(Script.Value, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/status/overview", (StatusPageData data, CancellationToken ct) => data.OverviewAsync(ct)).ExcludeFromDescription();
        app.MapGet("/status/sessions", Sessions).ExcludeFromDescription();
    }

    private static async Task<IResult> Sessions(string? channelDatabase, StatusPageData data, CancellationToken ct)
        => channelDatabase is { Length: > 0 and <= 128 } && await data.SessionsOfAsync(channelDatabase, ct).ConfigureAwait(false) is { } rows
            ? TypedResults.Ok(rows)
            : TypedResults.NotFound();

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Page(HttpContext context)
    {
        // A strict policy: the page's own script and style only, data from its own origin, never framed.
        context.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Text(Html.Value, "text/html; charset=utf-8");
    }

    private static readonly Lazy<string> Html = new(() => Resource("status.html"));
    private static readonly Lazy<string> Script = new(() => Resource("status.js"));

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("AsyncServer.Service.Operations." + name)
            ?? throw new InvalidOperationException($"The status page's {name} is missing from the service assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
