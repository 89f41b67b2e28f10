using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Serve.Cluster;
using Serve.Exchange;

namespace Orleans.Hosting;

/// <summary>Connects an external Orleans client to a Serve cluster described by configuration.</summary>
public static class ServeClusterClientBuilderExtensions
{
    /// <summary>
    /// Applies the <c>Serve:Cluster</c> section (<see cref="ServeClusterOptions"/>, validated at start).
    /// <see cref="ClusterMode.Embedded"/>: the gateway at <c>127.0.0.1:</c><see cref="ServeClusterOptions.GatewayPort"/>.
    /// <see cref="ClusterMode.Redis"/>: the gateways listed in the cluster's Redis membership table.
    /// With <see cref="ServeClusterOptions.Tls"/>, the client presents its certificate and trusts only silos whose
    /// certificates chain to the cluster's CA; Redis mode refuses to start without it unless
    /// <see cref="ServeClusterOptions.AllowInsecure"/> is set. In Redis mode handle calls go over the silos' data plane
    /// (<see cref="ServeClusterOptions.ClientDataPlane"/>).
    /// Add <c>AddServeClient()</c> to run applications and call them through handles.
    /// Its start writes one line at Information once connected (event 8026); Orleans' own categories log warnings and
    /// errors only, unless the configuration sets a level for them (<c>Logging:LogLevel:Orleans</c>).
    /// </summary>
    /// <param name="builder">The client.</param>
    /// <param name="configuration">The configuration holding the <c>Serve:Cluster</c> section.</param>
    /// <param name="configure">Changes applied after the configuration, e.g. by tests.</param>
    public static IClientBuilder UseServeCluster(this IClientBuilder builder, IConfiguration configuration, Action<ServeClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        var cluster = services.AddServeClusterOptions(configuration, configure, ClusterRole.Client);
        if (cluster.Tls?.IsEnabled == true)
        {
            ClusterTls.AddTo(builder);
        }

        if (cluster.Mode == ClusterMode.Redis)
        {
            builder.UseRedisClustering(_ => { });
            services.AddOptions<RedisClusteringOptions>().Configure<IOptions<ServeClusterOptions>>(
                (o, c) => o.ConfigurationOptions = RedisConnection.From(c.Value));
            if (cluster.ClientDataPlane)
            {
                ExchangeRegistration.AddTo(builder, cluster.Tls?.IsEnabled == true);
            }
        }
        else
        {
            // An unset port fails validation at start; the default only lets the host be built to report it.
            builder.UseLocalhostClustering(cluster.GatewayPort ?? ServeClusterOptions.DefaultGatewayPort);
        }
        // Bounded retries with an error that says what to fix, in place of Orleans' default (15 growing waits, about
        // 3 minutes, then its own error); a filter the program registered itself, before this call or after, wins.
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IClientConnectionRetryFilter) && ClusterConnectRetry.IsOrleansDefault(services[i]))
            {
                services.RemoveAt(i);
            }
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClientConnectionRetryFilter, ClusterConnectRetry>();
        services.AddOptions<GatewayOptions>().Configure<IOptions<ServeClusterOptions>>(
            (o, c) => LivenessProfiles.Apply(c.Value.Liveness, o));
        // A quiet start: one line once connected, in place of Orleans' options and connection steps at Information.
        QuietOrleansLog.AddTo(services);
        services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>, ClusterConnectedLog>();
        return builder;
    }
}
