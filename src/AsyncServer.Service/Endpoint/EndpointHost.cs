using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// Runs the HTTPS endpoint (Kestrel) inside the service, beside or instead of the schedules. It is its own small
/// web application sharing the service's logging, started and stopped with the service.
/// </summary>
public sealed class EndpointHost(ServiceOptions options, EndpointSettings settings, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;
    private readonly ILogger _log = loggerFactory.CreateLogger("AsyncServer.Endpoint");

    /// <summary>The web application, for tests that host it in-process; the service itself starts it through StartAsync.</summary>
    public static WebApplication Build(ServiceOptions options, EndpointSettings settings, ILoggerFactory loggerFactory, X509Certificate2? certificate)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        AddServices(builder.Services, options, settings, loggerFactory);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => ConfigureKestrel(k, settings, certificate));
        var app = builder.Build();
        UseErrorResponses(app);
        var auth = app.Services.GetRequiredService<ChannelAuthentication>();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), a => a.Use(next => context => auth.InvokeAsync(context, next)));
        Operations.OperationsRoutes.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        EndpointApi.Map(app);
        return app;
    }

    private static void AddServices(IServiceCollection services, ServiceOptions options, EndpointSettings settings, ILoggerFactory loggerFactory)
    {
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(options);
        services.AddSingleton(settings);
        services.AddSingleton<EndpointState>();
        services.AddSingleton(new FailedAuthenticationLimiter(settings.FailedAuthenticationsPerMinute));
        services.AddSingleton<ChannelAuthentication>();
        Operations.OperationsRoutes.AddServices(services, options, loggerFactory);
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        services.AddRouting();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.UnmappedMemberHandling = EndpointApi.Json.UnmappedMemberHandling;
            o.SerializerOptions.RespectNullableAnnotations = true;
        });
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            DescribeDocument(doc);
            return Task.CompletedTask;
        }));
    }

    /// <summary>Title, description and the channel database's Basic scheme on every /api route of the OpenAPI document.</summary>
    private static void DescribeDocument(Microsoft.OpenApi.OpenApiDocument doc)
    {
        // The document is the same whoever asks and wherever the server listens, so it can be checked in (docs/endpoint-openapi.json).
        doc.Servers?.Clear();
        doc.Info.Title = "AsyncServer endpoint";
        doc.Info.Version = "v1";
        doc.Info.Description = "What a store (channel database) calls: its pending sessions, their packages, and its reports. " +
            "HTTP Basic: channel database id and secret. docs/endpoint.md.";
        doc.Components ??= new Microsoft.OpenApi.OpenApiComponents();
        doc.Components.SecuritySchemes = new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>
        {
            ["channelDatabase"] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http, Scheme = "basic",
                Description = "User name: the channel database id; password: its secret (New-AsyncChannelCredential).",
            },
        };
        foreach (var (_, item) in doc.Paths.Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal)))
            foreach (var operation in item.Operations?.Values.ToList() ?? [])
                operation.Security =
                [
                    new Microsoft.OpenApi.OpenApiSecurityRequirement
                    {
                        [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("channelDatabase", doc)] = [],
                    },
                ];
    }

    /// <summary>Limits, and each listen address with TLS (and optional client certificates) or plain HTTP.</summary>
    private static void ConfigureKestrel(KestrelServerOptions k, EndpointSettings settings, X509Certificate2? certificate)
    {
        k.AddServerHeader = false;
        k.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
        k.Limits.MaxRequestHeadersTotalSize = settings.MaxRequestHeadersBytes;
        k.Limits.MaxRequestLineSize = 8 * 1024;
        k.Limits.MaxRequestHeaderCount = 50;
        foreach (var l in settings.Listen)
        {
            void Configure(ListenOptions lo)
            {
                lo.Protocols = l.Https ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                if (l.Https)
                    lo.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate,
                        // Client certificates are optional and judged by thumbprint (ChannelAuthentication), not by a chain:
                        // the map in the settings is the trust list.
                        ClientCertificateMode = settings.ClientCertificates.Count > 0
                            ? Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate
                            : Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate,
                        ClientCertificateValidation = (_, _, _) => true,
                    });
            }
            if (l.Localhost) k.ListenLocalhost(l.Port, Configure);
            else k.Listen(l.Address!, l.Port, Configure);
        }
    }

    /// <summary>Failures and bare status codes answered as problem details, never with a stack trace.</summary>
    private static void UseErrorResponses(WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // An unavailable message database is a 503 with Retry-After; any other failure is logged in full and answered with a
            // bare 500. Neither answer carries a message or a stack trace.
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
                var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AsyncServer.Endpoint");
                if (UnavailableDatabase.Is(error))
                {
                    log.LogWarning("{Method} {Path}: the message database is unavailable: {Type}: {Message}",
                        context.Request.Method, context.Request.Path, error?.GetType().Name, error?.Message);
                    context.Response.Headers.RetryAfter = UnavailableDatabase.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await Problems.Write(context, StatusCodes.Status503ServiceUnavailable, "Message database unavailable",
                        "The server cannot reach its message database just now; try again after the Retry-After delay.");
                    return;
                }
                log.LogError("{Method} {Path} failed: {Type}: {Message}", context.Request.Method, context.Request.Path, error?.GetType().Name, error?.Message);
                await Problems.Write(context, StatusCodes.Status500InternalServerError, "Server error",
                    "The server could not complete the request; the operator finds the reason in its log.");
            },
        });
        app.UseStatusCodePages(async sc =>
        {
            var response = sc.HttpContext.Response;
            if (response.ContentLength is null && !response.HasStarted && string.IsNullOrEmpty(response.ContentType))
                await Problems.Write(sc.HttpContext, response.StatusCode, Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(response.StatusCode),
                    "See docs/endpoint.md for the routes.");
        });
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        X509Certificate2? certificate = null;
        if (settings.NeedsCertificate)
        {
            certificate = ServerCertificate.Load(settings.Certificate!, Path.GetDirectoryName(options.ConfigurationPath) ?? Directory.GetCurrentDirectory());
            _log.LogInformation("Endpoint certificate {Subject} (thumbprint {Thumbprint}), valid until {NotAfter:u}.",
                certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime());
        }
        foreach (var plain in settings.Listen.Where(l => !l.Https))
        {
            if (plain.IsLoopback) _log.LogWarning("Endpoint listens on {Address} without TLS (loopback only).", plain.Text);
            else
                _log.LogCritical("PLAIN HTTP ENDPOINT on {Address} (endpoint.allowPlainHttp is set): " +
                    "channel secrets cross the network in clear text unless TLS ends at a proxy in front of it.", plain.Text);
        }
        _app = Build(options, settings, loggerFactory, certificate);
        // Read the configuration now, so an unreadable one stops the service at start instead of failing every request.
        _ = _app.Services.GetRequiredService<EndpointState>();
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var server = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            _log.LogInformation("Endpoint listening on {Address}", address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }
}
