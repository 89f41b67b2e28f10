using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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

    /// <summary>
    /// The most connections the endpoint holds at once: scrapers and probes are few, and Kestrel's default is no bound
    /// at all, so whoever reached the port (on 0.0.0.0 for a scraper in another container) could take every file
    /// descriptor of the silo with silent connections.
    /// </summary>
    public const int MaxConnections = 64;

    /// <summary>
    /// The most connections the endpoint holds at once from one remote address (an IPv6 address counting with its /64),
    /// as the data plane and the Orleans ports bound their handshakes: a scraper keeps one connection and a probe opens
    /// one at a time, so a stranger reconnecting silent connections from one host filled all
    /// <see cref="MaxConnections"/> and every liveness probe was refused (an orchestrator restarts such a silo).
    /// </summary>
    public const int MaxConnectionsPerAddress = 8;

    /// <summary>
    /// How long a connection may stay silent — before its first request, or between two — and how long a request's
    /// headers may take (Kestrel's defaults: 130 s and 30 s). A scrape is one small GET.
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

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
        var limit = new HttpConnectionLimit("the telemetry endpoint's port", null, MaxConnections, MaxConnectionsPerAddress,
            TimeProvider.System, services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpConnectionLimit)));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.KeepAliveTimeout = IdleTimeout;
            kestrel.Limits.RequestHeadersTimeout = IdleTimeout;
            // Every path is a GET: a body is never read, so none is taken.
            kestrel.Limits.MaxRequestBodySize = 0;
            void Configure(ListenOptions listen) => listen.Use(next => connection => limit.OnConnectionAsync(connection, next));
            if (value.Host == "localhost")
            {
                kestrel.ListenLocalhost(port, Configure);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(value.Host), port, Configure);
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
