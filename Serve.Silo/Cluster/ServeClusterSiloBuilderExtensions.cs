using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Storage;
using Serve;
using Serve.Cluster;
using Serve.Exchange;
using Serve.Hosting;
using Serve.Storage;

namespace Orleans.Hosting;

/// <summary>Joins an Orleans silo to a Serve cluster described by configuration.</summary>
public static class ServeClusterSiloBuilderExtensions
{
    /// <summary>
    /// Applies the <c>Serve:Cluster</c> section (<see cref="ServeClusterOptions"/>, validated at start).
    /// <see cref="ClusterMode.Embedded"/>: localhost clustering and in-memory state, one process, listening on loopback
    /// only, with no Orleans client port unless <see cref="ServeClusterOptions.GatewayPort"/> is set.
    /// <see cref="ClusterMode.Redis"/>: membership in Redis, and the grain storage named
    /// <see cref="ServeOptions.StorageName"/> in Redis, so applications survive a restart of the whole cluster;
    /// this holds whether <c>AddServe</c> is called before or after. With <see cref="ServeClusterOptions.Tls"/>, every
    /// silo and client connection uses mutual TLS; Redis mode refuses to start without it unless
    /// <see cref="ServeClusterOptions.AllowInsecure"/> is set. A silo whose silo or client port another process listens on
    /// refuses to start, naming the port.
    /// Also declares this silo's role and capacity from the <c>Serve:Silo</c> section (<see cref="ServeSiloOptions"/>,
    /// validated at start) and publishes it to every silo, so replicas are placed only where their resources are free.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="configuration">The configuration holding the <c>Serve:Cluster</c> section.</param>
    /// <param name="configure">Changes applied after the configuration, e.g. by tests.</param>
    public static ISiloBuilder UseServeCluster(this ISiloBuilder builder, IConfiguration configuration, Action<ServeClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        var cluster = services.AddServeClusterOptions(configuration, configure, ClusterRole.Silo);
        if (cluster.Tls?.IsEnabled == true)
        {
            ClusterTls.AddTo(builder);
        }

        if (cluster.Mode == ClusterMode.Redis)
        {
            builder.UseRedisClustering(_ => { });
            services.AddOptions<RedisClusteringOptions>().Configure<IOptions<ServeClusterOptions>>(
                (o, c) => o.ConfigurationOptions = RedisConnection.From(c.Value));
            // Registered last, it is what the keyed "serve" storage resolves to even when AddServe already added
            // its in-memory fallback (keyed services resolve to the last registration of a key).
            // Stored as plain JSON of the declared state types: the store never names a type for the silo to build.
            builder.AddRedisGrainStorage(ServeOptions.StorageName, storage => storage.Configure<IOptions<ServeClusterOptions>>((o, c) =>
            {
                o.ConfigurationOptions = RedisConnection.From(c.Value);
                o.GrainStorageSerializer = ServeStateSerializer.Instance;
            }));
        }
        else
        {
            builder.UseLocalhostClustering();
            if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, ServeOptions.StorageName) && d.ServiceType == typeof(IGrainStorage)))
            {
                builder.AddMemoryGrainStorage(ServeOptions.StorageName);
            }
        }

        services.AddOptions<EndpointOptions>().Configure<IOptions<ServeClusterOptions>>((o, c) =>
        {
            // Taken once: IOptions<EndpointOptions> is a singleton, and the membership's primary silo endpoint reads it too.
            o.SiloPort = c.Value.KnownSiloPort ?? FreeLoopbackPort.Take();
            o.GatewayPort = c.Value.EffectiveGatewayPort;
            if (c.Value.Mode == ClusterMode.Redis && AdvertisedAddressResolver.Resolve(c.Value.AdvertisedAddress, out _) is { } address)
            {
                o.AdvertisedIPAddress = address;
            }
        });
        services.AddOptions<ClusterMembershipOptions>().Configure<IOptions<ServeClusterOptions>>(
            (o, c) => LivenessProfiles.Apply(c.Value.Liveness, o));
        services.AddOptions<GrainDirectoryOptions>().Configure<IOptions<ServeClusterOptions>, IOptions<ClusterMembershipOptions>>(
            (o, c, m) => LivenessProfiles.Apply(c.Value.Liveness, m.Value, o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, SiloPortCheck>());
        builder.AddServeSiloCapacity(configuration);
        services.AddOptions<ServeRoutingOptions>().Bind(configuration.GetSection(ServeRoutingOptions.SectionName));
        if (cluster.Mode == ClusterMode.Redis)
        {
            ExchangeRegistration.AddTo(builder, configuration, cluster.Tls?.IsEnabled == true);
        }
        return builder;
    }
}
