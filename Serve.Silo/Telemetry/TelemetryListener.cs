using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Serve.Health;

namespace Serve.Hosting;

/// <summary>
/// The silo's telemetry endpoint on <see cref="ServeTelemetryOptions.Port"/>: Prometheus' <c>/metrics</c> and the
/// health probes <c>/-/livez</c> and <c>/-/readyz</c>, on a small Kestrel server of its own so that it works alike on
/// workers (which have no web server) and gateways (whose ports belong to applications and the admin API).
/// </summary>
internal sealed partial class TelemetryListener(IOptions<ServeTelemetryOptions> options, IServiceProvider services, ILogger<TelemetryListener> logger) : IHostedService, IAsyncDisposable
{
    public const string MetricsPath = "/metrics";
    public const string LivenessPath = "/-/livez";
    public const string ReadinessPath = "/-/readyz";

    private WebApplication? _app;

    /// <summary>The endpoint's address once started; null when there is none.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var value = options.Value;
        if (value.Port is not { } port)
        {
            return;
        }
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (value.Host == "localhost")
            {
                kestrel.ListenLocalhost(port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(value.Host), port);
            }
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        if (services.GetService<MeterProvider>() is { } meters)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, context => context.Request.Path == MetricsPath, path: null, configureBranchedPipeline: null, optionsName: null);
        }
        var health = services.GetRequiredService<HealthCheckService>();
        app.MapGet(LivenessPath, (HttpContext context) => ServeHealth.WriteAsync(context, health, ServeHealth.Live));
        app.MapGet(ReadinessPath, (HttpContext context) => ServeHealth.WriteAsync(context, health, ServeHealth.Ready));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(
                $"The telemetry endpoint could not listen on {value.Host}:{port} (Serve:Telemetry:Host, Serve:Telemetry:Port): {e.Message} Fix: choose a free port, 0 for any, or unset the port.", e);
        }
        _app = app;
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        LogListening(logger, Address.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = ServeEvents.TelemetryListening, Level = LogLevel.Information, Message = "Telemetry endpoint on {Address}: /metrics, /-/livez, /-/readyz")]
    private static partial void LogListening(ILogger logger, string address);
}
