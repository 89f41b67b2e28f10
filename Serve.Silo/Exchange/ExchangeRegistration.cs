using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Serve.Cluster;
using Serve.Grains;

namespace Serve.Exchange;

/// <summary>The data plane of a silo in a multi-process cluster: its listener, and the client end its routers share.</summary>
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
            services.TryAddSingleton<IExchangeSecurity, ExchangeTls>();
        }
        services.AddSingleton<ExchangeListener>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(s => s.GetRequiredService<ExchangeListener>());
        services.TryAddSingleton(s =>
        {
            var silo = s.GetRequiredService<IOptions<ServeSiloOptions>>().Value;
            return new ExchangeClient(
                new ExchangeLimits(silo.ExchangeMaxFrameBytes, silo.ExchangeMaxCallsInFlight),
                s.GetRequiredService<Serializer<ExchangeCall>>(), s.GetRequiredService<Serializer<ReplicaResponse>>(),
                s.GetRequiredService<DeepCopier>(), s.GetService<TimeProvider>() ?? TimeProvider.System,
                s.GetRequiredService<ILogger<ExchangeClient>>(), s.GetService<IExchangeSecurity>());
        });
    }
}
