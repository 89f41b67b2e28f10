using Microsoft.AspNetCore.Routing;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>Declares a gRPC service by a name no call path can carry, and one twice: building its application fails.</summary>
[Deployment]
[GrpcService("greet/Greeter")]
[GrpcService("greet.Twice")]
[GrpcService("greet.Twice")]
public sealed class MisnamedGrpcIngress : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
