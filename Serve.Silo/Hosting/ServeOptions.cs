using System.Reflection;

namespace Serve.Hosting;

/// <summary>Options of the Serve runtime in a silo.</summary>
public sealed class ServeOptions
{
    /// <summary>The name of the grain storage provider holding the controller's and deployments' state.</summary>
    public const string StorageName = "serve";

    /// <summary>How long a long poll (replica sets, snapshots) waits for a change before it answers unchanged. Default is 20 s.</summary>
    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the controller re-applies every application, reviving deployments lost with a silo. Default is 10 s.</summary>
    public TimeSpan ControllerReconcilePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra time, past a deployment's graceful shutdown timeout, before a replica that does not answer its stop is given up. Default is 5 s.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The assemblies whose classes this silo builds as replicas; a deployment of any other class is refused, whatever
    /// a caller sends. The worker and <c>ServeHost</c> add those listed under <c>Serve:Assemblies</c>.
    /// Default is the entry assembly (the program hosting the silo, where the quick start declares its deployments),
    /// unless it is one of Serve's own hosts.
    /// </summary>
    public IList<Assembly> DeploymentAssemblies { get; } = Assembly.GetEntryAssembly() is { } entry && !Replicas.PlatformAssemblies.Contains(entry) ? [entry] : [];
}
