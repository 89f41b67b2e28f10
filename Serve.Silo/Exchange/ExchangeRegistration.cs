using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Cluster;
using Serve.Grains;

namespace Serve.Exchange;

/// <summary>
/// The data plane in a multi-process cluster: a silo's listener and the client end its routers share, or an external
/// Orleans client's client end alone.
/// </summary>
internal static class ExchangeRegistration
{
    /// <summary>
    /// Adds both ends unless <see cref="ServeSiloOptions.ExchangeEnabled"/> is false; with <paramref name="tls"/>, both
    /// use mutual TLS with the cluster's certificate. Read while the host is built, as the silo's capacity is.
    /// </summary>
    public static void AddTo(ISiloBuilder builder, IConfiguration configuration, bool tls)
    {
        var options = new ServeSiloOptions();
        configuration.GetSection(ServeSiloOptions.SectionName).Bind(options);
        var services = builder.Services;
        if (!options.ExchangeEnabled || services.Any(d => d.ServiceType == typeof(ExchangeListener)))
        {
            return;
        }
        if (tls)
        {
            services.TryAddSingleton<IExchangeSecurity>(s => ExchangeTls.Create(s, ClusterRole.Silo));
        }
        services.AddSingleton<ExchangeListener>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(s => s.GetRequiredService<ExchangeListener>());
        AddClient(services, s =>
        {
            var silo = s.GetRequiredService<IOptions<ServeSiloOptions>>().Value;
            return new ExchangeLimits(silo.ExchangeMaxFrameBytes, silo.ExchangeMaxCallsInFlight) { PingTimeout = silo.ExchangePingTimeout };
        });
    }

    /// <summary>
    /// The client end alone, for an external Orleans client: its routers send handle calls to replicas over the silos'
    /// data plane, with mutual TLS as a client of the cluster when <paramref name="tls"/>. Frames are bounded by
    /// <see cref="ServeClusterOptions.ExchangeMaxFrameBytes"/>, as a silo's are by its own setting.
    /// </summary>
    public static void AddTo(IClientBuilder builder, bool tls)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ExchangeClient)))
        {
            return;
        }
        if (tls)
        {
            services.TryAddSingleton<IExchangeSecurity>(s => ExchangeTls.Create(s, ClusterRole.Client));
        }
        AddClient(services, s =>
        {
            var cluster = s.GetRequiredService<IOptions<ServeClusterOptions>>().Value;
            return new ExchangeLimits(cluster.ExchangeMaxFrameBytes, ExchangeLimits.DefaultMaxCallsInFlight, ExchangeLimits.ClientFrameSetting)
            {
                PingTimeout = cluster.ExchangePingTimeout, PingSetting = ExchangeLimits.ClientPingSetting,
            };
        });
    }

    private static void AddClient(IServiceCollection services, Func<IServiceProvider, ExchangeLimits> limits)
    {
        services.TryAddSingleton(ExchangeCodec.Create);
        services.TryAddSingleton(s => new ExchangeClient(
            limits(s), s.GetRequiredService<ExchangeCodec>(), s.GetService<TimeProvider>() ?? TimeProvider.System,
            s.GetRequiredService<ILogger<ExchangeClient>>(), s.GetService<IExchangeSecurity>(), s.GetService<GatewayChannels>()));
    }
}
