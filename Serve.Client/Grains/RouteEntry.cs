namespace Serve.Grains;

/// <summary>One HTTP route: a prefix served by an application's ingress deployment.</summary>
[GenerateSerializer, Immutable, Alias("serve.route")]
internal sealed record RouteEntry(
    [property: Id(0)] string Prefix,
    [property: Id(1)] string Application,
    [property: Id(2)] string IngressDeployment,
    [property: Id(3)] TimeSpan? RequestTimeout);
