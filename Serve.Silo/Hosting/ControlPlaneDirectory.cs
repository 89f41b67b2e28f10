using Microsoft.Extensions.DependencyInjection;
using Orleans.GrainDirectory;
using Orleans.Runtime.Hosting;

namespace Serve.Hosting;

/// <summary>
/// The grain directory of the control plane (<c>ControllerGrain</c>, <c>DeploymentGrain</c>, <c>AutoscalerGrain</c>):
/// Orleans' strongly consistent <c>DistributedGrainDirectory</c>, under a name of its own so replicas keep the default
/// directory and its speed. Orleans' default directory drops the entries a dead silo held, so a call can start a second
/// activation of a grain whose first still runs on a live silo; this one recovers them from the live silos first.
/// </summary>
internal static class ControlPlaneDirectory
{
    /// <summary>The directory's name, as the control-plane grain classes' <see cref="GrainDirectoryAttribute"/> gives it.</summary>
    public const string Name = "serve-control";

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

#pragma warning disable ORLEANSEXP003 // Experimental in Orleans 10.4; used by the control plane only, which is few grains and never on a request's path.
        builder.AddDistributedGrainDirectory(Name);
#pragma warning restore ORLEANSEXP003
    }
}
