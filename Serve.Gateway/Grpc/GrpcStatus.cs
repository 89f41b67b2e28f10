namespace Serve.Grpc;

/// <summary>The gRPC status codes the gateway answers with itself (the numbers of gRPC's <c>StatusCode</c>).</summary>
internal enum GrpcStatus
{
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
}
