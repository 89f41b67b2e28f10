namespace Serve.Grains;

/// <summary>One HTTP route: a prefix served by an application's ingress deployment.</summary>
[GenerateSerializer, Immutable, Alias("serve.route")]
internal sealed record RouteEntry(
    [property: Id(0)] string Prefix,
    [property: Id(1)] string Application,
    [property: Id(2)] string IngressDeployment,
    [property: Id(3)] TimeSpan? RequestTimeout)
{
    /// <summary>The gRPC services the ingress declares (<see cref="GrpcServiceAttribute"/>), by full name; the gateway routes their calls here.</summary>
    [Id(4)] public IReadOnlyList<string> GrpcServices { get; init; } = [];

    public bool Equals(RouteEntry? other) =>
        other is not null && Prefix == other.Prefix && Application == other.Application && IngressDeployment == other.IngressDeployment
        && RequestTimeout == other.RequestTimeout && GrpcServices.SequenceEqual(other.GrpcServices);

    public override int GetHashCode() => HashCode.Combine(Prefix, Application, IngressDeployment, RequestTimeout);
}
