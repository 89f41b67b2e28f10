using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Hosting;

/// <summary>Runs the <see cref="IServeServiceSetup"/> classes of the deployment assemblies on a host's services.</summary>
internal static class ServeServiceSetups
{
    /// <summary>
    /// Hands <paramref name="services"/> and <paramref name="configuration"/> to each setup class of
    /// <paramref name="assemblies"/>, once per assembly however often a host asks (<c>serve run</c> adds the assemblies
    /// it was given to those <c>ServeHost</c> found); the configuration over the defaults of the <c>appsettings.json</c>
    /// beside the class's assembly, when it has one (<see cref="DeploymentAssemblySettings"/>), which is also the
    /// <see cref="IConfiguration"/> the factories of its registrations are handed (<see cref="AssemblySettingsProvider"/>). One that throws fails the
    /// start with an <see cref="InvalidOperationException"/> naming the class.
    /// </summary>
    public static void Apply(IServiceCollection services, IConfiguration configuration, IEnumerable<Assembly> assemblies)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(Applied))?.ImplementationInstance is not Applied applied)
        {
            applied = new Applied();
            services.AddSingleton(applied);
        }
        foreach (var assembly in assemblies.Where(applied.Assemblies.Add).ToList())
        {
            var setups = SetupClasses<IServeServiceSetup>.In([assembly]).ToList();
            if (setups.Count > 0)
            {
                var settings = DeploymentAssemblySettings.Over(configuration, DeploymentAssemblySettings.FileOf(assembly), assembly.GetName().Name ?? assembly.Location);
                var before = new HashSet<ServiceDescriptor>(services, ReferenceEqualityComparer.Instance);
                Apply(services, settings, setups);
                if (!ReferenceEquals(settings, configuration))
                {
                    // What the setup registered through DI sees the file too (options bound with BindConfiguration).
                    AssemblySettingsProvider.Scope(services, before, settings);
                }
            }
        }
    }

    internal static void Apply(IServiceCollection services, IConfiguration configuration, IEnumerable<IServeServiceSetup> setups)
    {
        foreach (var setup in setups)
        {
            try
            {
                setup.ConfigureServices(services, configuration);
            }
            catch (Exception e)
            {
                // The worker prints this message and the inner one's, without a stack trace.
                throw new InvalidOperationException($"{setup.GetType().FullName}.ConfigureServices (an IServeServiceSetup of the deployment assemblies) failed:", e);
            }
        }
    }

    /// <summary>The assemblies whose setup classes ran on a service collection.</summary>
    private sealed class Applied
    {
        public HashSet<Assembly> Assemblies { get; } = [];
    }
}
