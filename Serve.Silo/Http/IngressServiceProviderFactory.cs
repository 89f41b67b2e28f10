using Microsoft.Extensions.DependencyInjection;

namespace Serve.Http;

/// <summary>Builds an HTTP ingress host's container as any ASP.NET Core app's, then puts it in front of the silo's (<see cref="IngressServiceProvider"/>).</summary>
internal sealed class IngressServiceProviderFactory(IServiceProvider silo) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services) => services;

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) =>
        new IngressServiceProvider(containerBuilder.BuildServiceProvider(), silo);
}
