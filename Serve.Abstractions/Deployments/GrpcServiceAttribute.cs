namespace Serve;

/// <summary>
/// Names a gRPC service an ingress deployment serves (mapped with <c>MapGrpcService</c> in its <c>MapEndpoints</c>): its full
/// name, <c>package.Service</c> as in the call's path <c>/package.Service/Method</c>. The gateway then routes the service's
/// calls to the application without the <c>application</c> metadata. One attribute per service; only the ingress's count.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GrpcServiceAttribute(string name) : Attribute
{
    /// <summary>The service's full name, e.g. <c>greet.Greeter</c>.</summary>
    public string Name { get; } = name;
}
