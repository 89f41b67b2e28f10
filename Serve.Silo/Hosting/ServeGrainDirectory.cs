using Microsoft.Extensions.DependencyInjection;
using Orleans.GrainDirectory;
using Orleans.Runtime.Hosting;

namespace Serve.Hosting;

/// <summary>
/// The grain directory of Serve's grains (<c>ControllerGrain</c>, <c>DeploymentGrain</c>, <c>AutoscalerGrain</c> and each
/// <c>ReplicaGrain</c>): Orleans' strongly consistent <c>DistributedGrainDirectory</c>, under a name of its own (the
/// user's own grains, if any, keep the default). Orleans' default directory drops the entries a dead silo held, whatever
/// silo their grains run on, so a call can start a second activation of a grain whose first still runs on a live silo,
/// and the first is lost: a second controller, or a replica on a healthy silo replaced (its model loaded again) because
/// another silo died. This one recovers the entries from the live silos first. It costs nothing per call (lookups are
/// cached as before), one registration per activation as before, and a hold after a silo's death on starting the
/// grains whose entries it owned (<see cref="Serve.Cluster.LivenessProfiles"/>).
/// </summary>
internal static class ServeGrainDirectory
{
    /// <summary>The directory's name, as Serve's grain classes' <see cref="GrainDirectoryAttribute"/> gives it.</summary>
    public const string Name = "serve";

    private const string DistributedDirectoryType = "Orleans.Runtime.GrainDirectory.DistributedGrainDirectory";

    public static void AddTo(ISiloBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, Name) && d.ServiceType == typeof(IGrainDirectory)))
        {
            return;
        }

        // Orleans keeps one distributed directory per silo: added already (as the default, by the silo's own code or by
        // Orleans' TestClusterBuilder), it only gets this name too, without a second part in the silo's lifecycle.
        if (services.FirstOrDefault(d => !d.IsKeyedService && d.ServiceType.FullName == DistributedDirectoryType) is { } existing)
        {
            var directoryType = existing.ServiceType;
            var before = services.Count;
            services.AddGrainDirectory<IGrainDirectory>(Name, (provider, _) => (IGrainDirectory)provider.GetRequiredService(directoryType));
            for (var i = services.Count - 1; i >= before; i--)
            {
                if (services[i].ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>))
                {
                    services.RemoveAt(i);
                }
            }
            return;
        }

#pragma warning disable ORLEANSEXP003 // Experimental in Orleans 10.4: what it guarantees after a silo's death is what Serve's grains need (see above).
        builder.AddDistributedGrainDirectory(Name);
#pragma warning restore ORLEANSEXP003
    }
}
