namespace Serve.Tests.Deployments.Http;

/// <summary>A service the silo registers as scoped (<see cref="Serve.Tests.Http.IngressEndpointServicesTests"/>): one per request in an ingress's endpoints.</summary>
public sealed class SiloScopedService
{
    public Guid Id { get; } = Guid.NewGuid();
}
