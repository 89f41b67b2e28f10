using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serve;
using Serve.Hosting;
using Serve.Routing;
using Serve.Serialization;

namespace Orleans.Hosting;

/// <summary>Adds Serve's client side (<see cref="IServeClient"/>, handles) to an Orleans client.</summary>
public static class ServeClientBuilderExtensions
{
    /// <summary>
    /// Lets this process run applications and call deployments through handles. Silos get this
    /// from <c>AddServe</c>; an external .NET service calls it on its Orleans client.
    /// </summary>
    public static IClientBuilder AddServeClient(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddServeHandles();
        builder.Services.TryAddSingleton<ClusterConnection>();
        builder.Services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>>(sp => sp.GetRequiredService<ClusterConnection>());
        // Orleans tells every observer registered when its gateway connections open and close.
        builder.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnection>());
        return builder;
    }

    internal static IServiceCollection AddServeHandles(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddServeSerialization();
        services.AddMetrics();
        services.TryAddSingleton<RouterMetrics>();
        services.AddOptions<ServeRoutingOptions>();
        services.TryAddSingleton<ReplicaDirectory>();
        services.TryAddSingleton<IServeClient, ServeClient>();
        return services;
    }
}
