using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serve.Memory;

namespace Orleans.Hosting;

/// <summary>Lets a silo process give freed native memory back to the system.</summary>
public static class ServeMemorySiloBuilderExtensions
{
    /// <summary>
    /// Applies the <c>Serve:Memory</c> section (<see cref="ServeMemoryOptions"/>, validated at start) to this process's
    /// malloc when the host starts: on Linux with glibc, fixes its mmap threshold (64 KiB by default) so that the freed
    /// blocks of the runtime's JIT go back to the system instead of staying in malloc's arenas; elsewhere nothing. It
    /// changes malloc for the whole process, which is why Serve's own hosts call it (the worker, the gateway,
    /// <c>ServeHost</c>) and <c>AddServe</c> does not: call it in a program of your own whose replicas come and go.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="configuration">The configuration holding the <c>Serve:Memory</c> section.</param>
    /// <param name="configure">Changes applied after the configuration, e.g. by tests.</param>
    public static ISiloBuilder AddServeMallocTuning(this ISiloBuilder builder, IConfiguration configuration, Action<ServeMemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = builder.Services.AddOptions<ServeMemoryOptions>().Bind(configuration.GetSection(ServeMemoryOptions.SectionName)).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServeMemoryOptions>, ServeMemoryOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MallocTuning>());
        return builder;
    }
}
