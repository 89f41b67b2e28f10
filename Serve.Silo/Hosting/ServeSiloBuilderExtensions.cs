using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serve.Hosting;
using Serve.Cluster;
using Serve.Deployments;
using Serve.Placement;
using Serve.Replicas;

namespace Orleans.Hosting;

/// <summary>Adds the Serve runtime to an Orleans silo.</summary>
public static class ServeSiloBuilderExtensions
{
    /// <summary>
    /// Registers the controller, deployment and replica grains, replica placement, handles and
    /// <see cref="Serve.IServeClient"/>. State goes to the grain storage named
    /// <see cref="ServeOptions.StorageName"/>: in memory unless another provider of that name is added. Replicas are built
    /// only of classes from <see cref="ServeOptions.DeploymentAssemblies"/>. The controller, deployment, autoscaler and
    /// replica grains are found through Orleans' strongly consistent distributed grain directory, registered here under
    /// the name <c>serve</c>, so a silo's death never starts a second activation of one of them while the first runs on
    /// another silo (a second controller, or a healthy silo's replica replaced). Every silo of a cluster must run a version that does: upgrade from one that
    /// does not by stopping every silo, then starting the new ones, not by a rolling restart.
    /// </summary>
    public static ISiloBuilder AddServe(this ISiloBuilder builder, Action<ServeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddServeHandles();
        // A replica's calls show their request id in every log line through the factory's scope provider, not a scope each.
        Serve.Diagnostics.ServeCallScopeProvider.Register(builder.Services);
        var options = builder.Services.AddOptions<ServeOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServeOptions>, ServeOptionsValidator>());
        if (!builder.Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, ServeOptions.StorageName) && d.ServiceType == typeof(Orleans.Storage.IGrainStorage)))
        {
            builder.AddMemoryGrainStorage(ServeOptions.StorageName);
        }
        ServeGrainDirectory.AddTo(builder);
        builder.Services.AddPlacementDirector<ReplicaPlacementStrategy, ReplicaPlacementDirector>();
        builder.Services.AddSingleton<SiloResourceLedger>();
        builder.Services.TryAddSingleton<Serve.Replicas.ReplicaMetrics>();
        builder.Services.TryAddSingleton<Serve.Replicas.LocalReplicas>();
        builder.Services.TryAddSingleton<Serve.Routing.ILocalReplicas>(s => s.GetRequiredService<Serve.Replicas.LocalReplicas>());
        builder.Services.TryAddSingleton<DeploymentMetrics>();
        builder.Services.TryAddSingleton(services => new DeploymentTypeAdmission(services.GetRequiredService<IOptions<ServeOptions>>().Value.DeploymentAssemblies));
        builder.Services.AddPlacementDirector<SiloLedgerPlacementStrategy, SiloLedgerPlacementDirector>();
        builder.Services.TryAddSingleton<SiloSuspicions>();
        builder.Services.AddSingleton<SiloDrain>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(s => s.GetRequiredService<SiloDrain>());
        return builder;
    }
}
