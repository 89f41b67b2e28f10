using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serve.Diagnostics;
using Serve.Health;

namespace Serve.Hosting;

/// <summary>Serve's OpenTelemetry setup, shared by the gateway and the worker hosts.</summary>
internal static class ServeTelemetryServiceCollectionExtensions
{
    /// <summary>The variable that turns OTLP export on, as OpenTelemetry defines it.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The category of the line ASP.NET Core's health checks write for each check that is not healthy, at each probe.</summary>
    public const string HealthCheckLogCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    /// <summary>OpenTelemetry's variable naming the service.</summary>
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    /// <summary>
    /// Collects the <c>Serve</c> meter for Prometheus (and OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), traces
    /// the <c>Serve</c> activity source when <see cref="ServeTelemetryOptions.Tracing"/> is on, runs the
    /// <see cref="IServeTelemetrySetup"/> classes of <paramref name="assemblies"/>, and serves the telemetry endpoint
    /// when <see cref="ServeTelemetryOptions.Port"/> is set. Options are read from <paramref name="configuration"/> now,
    /// since they decide what is registered, and validated again at start.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="configuration">Where <c>Serve:Telemetry</c> and <c>OTEL_*</c> are read.</param>
    /// <param name="assemblies">The deployment assemblies, searched for <see cref="IServeTelemetrySetup"/> classes.</param>
    /// <param name="serviceName">OpenTelemetry's <c>service.name</c> unless <c>OTEL_SERVICE_NAME</c> says otherwise.</param>
    public static IServiceCollection AddServeTelemetry(this IServiceCollection services, IConfiguration configuration, IEnumerable<Assembly> assemblies, string serviceName = "serve")
    {
        var options = configuration.GetSection(ServeTelemetryOptions.SectionName).Get<ServeTelemetryOptions>() ?? new ServeTelemetryOptions();
        services.AddOptions<ServeTelemetryOptions>().BindConfiguration(ServeTelemetryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServeTelemetryOptions>, ServeTelemetryOptionsValidator>());
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(configuration[ServiceNameKey]))
        {
            telemetry.ConfigureResource(resource => resource.AddService(serviceName));
        }
        if (options.Metrics)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(ServeMeter.Name);
                // Only where /metrics is served: a silo nobody scrapes and nothing exports leaves its instruments unheard.
                if (options.Port is not null)
                {
                    metrics.AddPrometheusExporter();
                }
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        }
        if (options.Tracing)
        {
            // Out of range is reported by the validator at start; the sampler must not throw first.
            var ratio = Math.Clamp(double.IsNaN(options.TraceSampleRatio) ? 1 : options.TraceSampleRatio, 0, 1);
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(ServeActivitySource.Name).SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)));
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        }
        foreach (var setup in SetupClasses<IServeTelemetrySetup>.In(assemblies))
        {
            setup.Configure(telemetry);
        }
        services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>(SiloHealthCheck.Name, tags: [ServeHealth.Ready])
            .AddCheck<ApplicationsHealthCheck>(ApplicationsHealthCheck.Name, tags: [ServeHealth.Ready])
            // Liveness asks nothing of the cluster: a silo waiting for Redis is alive, and restarting it would not help.
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [ServeHealth.Live]);
        // ASP.NET Core's health checks write a warning (Degraded) or an error (Unhealthy) for every probe that finds one:
        // one per probe of every orchestrator and load balancer for as long as the state lasts, and one per request of
        // whoever reaches a gateway's /-/readyz. The probe's answer says the state; Serve's own events say what caused it.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter(HealthCheckLogCategory, LogLevel.Critical));
        services.TryAddSingleton<TelemetryListener>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryListener>());
        return services;
    }
}
