namespace Serve.Http;

/// <summary>
/// Whether a content type is gRPC's (<c>application/grpc</c>, <c>application/grpc+proto</c>, ...), as Grpc.AspNetCore
/// tells: gRPC-Web (<c>application/grpc-web</c>) is not, it is plain HTTP to the gateway.
/// </summary>
internal static class GrpcContentType
{
    private const string Grpc = "application/grpc";

    public static bool Is(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(Grpc, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == Grpc.Length || contentType[Grpc.Length] is '+' or ';');
}
