using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Serve.Placement;

namespace Serve.Cluster;

/// <summary>Declares a silo's role and capacity (<see cref="ServeSiloOptions"/>) and publishes it as Orleans silo metadata.</summary>
internal static class ServeSiloRegistration
{
    /// <summary>
    /// Binds <c>Serve:Silo</c> (validated at start) and publishes it. Silo metadata is fixed for a silo's lifetime,
    /// so it is read while the host is being built, as Orleans' own <c>UseSiloMetadata</c> does.
    /// </summary>
    public static ISiloBuilder AddServeSiloCapacity(this ISiloBuilder builder, IConfiguration configuration, Action<ServeSiloOptions>? configure = null)
    {
        var section = configuration.GetSection(ServeSiloOptions.SectionName);
        var current = new ServeSiloOptions();
        section.Bind(current);
        configure?.Invoke(current);

        var options = builder.Services.AddOptions<ServeSiloOptions>().Bind(section).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServeSiloOptions>, ServeSiloOptionsValidator>());
        return builder.UseSiloMetadata(SiloCapacity.From(current).ToMetadata());
    }
}
