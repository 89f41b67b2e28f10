using Serve.Grains;

namespace Serve.Grpc;

/// <summary>Where a gRPC call goes: the route of its application, or the status the gateway answers instead.</summary>
internal readonly record struct GrpcRoute(RouteEntry? Route, GrpcStatus Status, string Message)
{
    public static GrpcRoute To(RouteEntry route) => new(route, GrpcStatus.Ok, "");

    public static GrpcRoute Refused(GrpcStatus status, string message) => new(null, status, message);
}
