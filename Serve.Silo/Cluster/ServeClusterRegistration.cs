using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Serve.Cluster;

/// <summary>What silos and clients of a Serve cluster register alike.</summary>
internal static class ServeClusterRegistration
{
    /// <summary>
    /// Binds <see cref="ServeClusterOptions"/> (validated at start) and returns them as configured now: the mode
    /// decides which providers are registered, so it is read while the host is being built.
    /// </summary>
    public static ServeClusterOptions AddServeClusterOptions(this IServiceCollection services, IConfiguration configuration, Action<ServeClusterOptions>? configure, ClusterRole role)
    {
        var section = configuration.GetSection(ServeClusterOptions.SectionName);
        var current = section.Get<ServeClusterOptions>() ?? new ServeClusterOptions();
        configure?.Invoke(current);

        var options = services.AddOptions<ServeClusterOptions>().Bind(section).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServeClusterOptions>, ServeClusterOptionsValidator>(
            provider => new ServeClusterOptionsValidator(role, provider.GetService<TimeProvider>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InsecureClusterWarning>());
        services.AddOptions<ClusterOptions>().Configure<IOptions<ServeClusterOptions>>((o, cluster) =>
        {
            o.ClusterId = cluster.Value.ClusterId;
            o.ServiceId = cluster.Value.ServiceId;
        });
        return current;
    }
}
