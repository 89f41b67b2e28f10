namespace Serve.Tests.Deployments.Http;

/// <summary>Options the silo's services configure (<see cref="Serve.Tests.Http.IngressEndpointServicesTests"/>), and an ingress's do not.</summary>
public sealed class SiloConfiguredOptions
{
    public string Greeting { get; set; } = "";
}
