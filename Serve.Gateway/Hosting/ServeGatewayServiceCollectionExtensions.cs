using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serve.Diagnostics;
using Serve.Forwarding;
using Serve.Hosting;
using Serve.Routing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Serve HTTP gateway to an ASP.NET Core host that is also an Orleans silo (or client).</summary>
public static class ServeGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the gateway: route table (kept fresh from the controller), forwarder, options bound
    /// from <c>Serve:Http</c> and validated at start, and Kestrel's listen address (127.0.0.1:8000 by default).
    /// Map it with <c>app.MapServe()</c>.
    /// </summary>
    public static IServiceCollection AddServeGateway(this IServiceCollection services, Action<ServeGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ServeGatewayOptions>().BindConfiguration(ServeGatewayOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServeGatewayOptions>, ServeGatewayOptionsValidator>());
        services.AddServeHandles();
        services.TryAddSingleton<RouteTableWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RouteTableWatcher>());
        if (!services.Any(d => d.ServiceType == typeof(RouteTableHealthCheck)))
        {
            services.TryAddSingleton<RouteTableHealthCheck>();
            services.AddHealthChecks().AddCheck<RouteTableHealthCheck>(RouteTableHealthCheck.Name, tags: [Serve.Health.ServeHealth.Ready]);
        }
        services.TryAddSingleton(sp => new RequestBodyBudget(sp.GetRequiredService<IOptions<ServeGatewayOptions>>().Value.RequestBodyBudget, sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HttpForwarder>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServeGatewayOptions>>((kestrel, gateway) =>
        {
            var http = gateway.Value;
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = http.MaxRequestBodySize;
            limits.MaxConcurrentConnections = http.MaxConnections;
            limits.MinRequestBodyDataRate = http.MinRequestBodyDataRate > 0 ? new MinDataRate(http.MinRequestBodyDataRate, http.MinRequestBodyDataRateGracePeriod) : null;
            limits.RequestHeadersTimeout = http.RequestHeadersTimeout;
            limits.MaxRequestLineSize = http.MaxRequestLineSize;
            limits.MaxRequestHeadersTotalSize = http.MaxRequestHeadersTotalSize;
            limits.MaxRequestHeaderCount = http.MaxRequestHeaderCount;
            kestrel.AddServerHeader = false;
            if (!http.ConfigureKestrel)
            {
                return;
            }
            switch (http.Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(http.Port);
                    break;
                default:
                    kestrel.Listen(IPAddress.TryParse(http.Host, out var address) ? address : IPAddress.Loopback, http.Port);
                    break;
            }
        });
        return services;
    }
}
