using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Testing;

/// <summary>How <see cref="ServeTestHost"/> starts its in-process cluster.</summary>
public sealed class ServeTestHostOptions
{
    /// <summary>
    /// The assemblies holding the deployment classes the tests run: the silo builds replicas of their classes only, as a
    /// cluster's silos do with <c>Serve:Assemblies</c>. <see cref="ServeTestHost.StartAsync(BoundDeployment, CancellationToken)"/>
    /// adds those of the application it is given. Default: none.
    /// </summary>
    public IList<Assembly> DeploymentAssemblies { get; } = [];

    /// <summary>
    /// Configuration applied over the host's own, with the keys of <c>appsettings.json</c> (e.g. <c>Serve:Http:RequestTimeout</c>).
    /// Default: none.
    /// </summary>
    public IDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Registers the services the deployments' constructors take from dependency injection (what the program hosting them
    /// registers before <c>Build()</c>), on the silo's services: <c>ConfigureServices = s =&gt; s.AddSingleton&lt;IClock, FakeClock&gt;()</c>.
    /// Default: none.
    /// </summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>How long <see cref="ServeTestHost"/> waits for an application to be RUNNING and routed. Default is 30 seconds.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
