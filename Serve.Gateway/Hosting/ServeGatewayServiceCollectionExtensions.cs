using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serve.Diagnostics;
using Serve.Forwarding;
using Serve.Grpc;
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
        // One channel for the process: the replicas of every HTTP and gRPC exchange push their streamed responses to it.
        services.TryAddSingleton<HttpExchangeChannel>();
        services.TryAddSingleton<Serve.WebSockets.WebSocketChannel>();
        // The same objects, for the data plane: a replica on another silo reaches them over the connection its exchange came on.
        services.TryAddSingleton(s => new Serve.Exchange.GatewayChannels(
            s.GetRequiredService<HttpExchangeChannel>(), s.GetRequiredService<Serve.WebSockets.WebSocketChannel>()));
        services.TryAddSingleton<HttpForwarder>();
        services.TryAddSingleton<GrpcForwarder>();
        // Kestrel writes some of its lines per peer misdeed (dozens of Critical ones per connection that resets HTTP/2
        // streams faster than served): each of its events is bounded per minute, with a summary of the rest.
        KestrelLogThrottling.AddTo(services);
        services.AddSingleton<IHostedService>(sp => new ListenPortCheck(() =>
        {
            var http = sp.GetRequiredService<IOptions<ServeGatewayOptions>>().Value;
            return !http.ConfigureKestrel ? []
                : http.Http2Port is { } http2Port ? [(http.Host, http.Port, $"{ServeGatewayOptions.SectionName}:Port"), (http.Host, http2Port, $"{ServeGatewayOptions.SectionName}:Http2Port")]
                : [(http.Host, http.Port, $"{ServeGatewayOptions.SectionName}:Port")];
        }));
        services.TryAddSingleton(_ => OpenFileLimit.OfThisProcess());
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServeGatewayOptions>, ILoggerFactory, TimeProvider, OpenFileLimit>((kestrel, gateway, loggers, time, files) =>
        {
            var http = gateway.Value;
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = http.MaxRequestBodySize;
            // The ports Serve listens on bound their connections themselves (HttpConnectionLimit: Kestrel's own limit
            // writes a warning per connection it refuses); a host that listens itself keeps Kestrel's.
            limits.MaxConcurrentConnections = http.ConfigureKestrel ? null : http.MaxConnections;
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
            var certificate = http.Tls is { IsEnabled: true } tls ? LoadCertificate(tls) : null;
            // Without TLS there is no ALPN: Kestrel would serve HTTP/1.1 on an Http1AndHttp2 port (and warn), so say so here.
            var protocols = certificate is null && http.Protocols == HttpProtocols.Http1AndHttp2 ? HttpProtocols.Http1 : http.Protocols;
            var logger = loggers.CreateLogger(typeof(HttpConnectionLimit));
            if (ConnectionBoundFit.PerPort(http.MaxConnections, files.Value) is { } max && max < http.MaxConnections)
            {
                ConnectionBoundLog.Fitted(logger, http.Http2Port is null ? "The gateway's HTTP port" : "Each of the gateway's HTTP ports", max, http.MaxConnections.Value, files.Value!.Value);
            }
            HttpConnectionLimit? Limit() => ConnectionBoundFit.Limit("the gateway's HTTP port", http, files.Value, time, logger);
            Listen(kestrel, http.Host, http.Port, protocols, certificate, Limit());
            if (http.Http2Port is { } http2Port)
            {
                Listen(kestrel, http.Host, http2Port, HttpProtocols.Http2, certificate, Limit());
            }
        });
        return services;
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols, X509Certificate2? certificate, HttpConnectionLimit? limit)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (limit is not null)
            {
                // First, so a refused connection costs no TLS handshake.
                listen.Use(next => connection => limit.OnConnectionAsync(connection, next));
            }
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }
        if (host == "localhost")
        {
            kestrel.ListenLocalhost(port, Configure);
        }
        else
        {
            kestrel.Listen(IPAddress.TryParse(host, out var address) ? address : IPAddress.Loopback, port, Configure);
        }
    }

    private static X509Certificate2 LoadCertificate(ServeGatewayTlsOptions tls)
    {
        var errors = new List<string>();
        // The validator has loaded it already at start; failing here means the file changed since.
        return GatewayCertificate.Load(tls, TimeProvider.System, errors)
            ?? throw new OptionsValidationException(ServeGatewayOptions.SectionName, typeof(ServeGatewayOptions), errors);
    }
}
