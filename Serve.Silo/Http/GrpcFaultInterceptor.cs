using Grpc.Core;
using Grpc.Core.Interceptors;
using Serve.Grains;

namespace Serve.Http;

/// <summary>
/// Added to an ingress's Grpc.AspNetCore services, outermost: a Serve failure its handler lets out (a full deployment it
/// called, however deep; a timeout; a deployment with nothing running) ends the call with the status
/// <see cref="GrpcFault"/> gives it, and the failure's message, rather than as UNKNOWN "Exception was thrown by handler".
/// Other exceptions, and the <see cref="RpcException"/>s the handler or its own interceptors throw, pass as they are.
/// </summary>
internal sealed class GrpcFaultInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Mapped(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Mapped(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Mapped(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Mapped(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    private static Status? Mapped(Exception e) =>
        e is not RpcException && GrpcFault.StatusOf(ReplicaFault.TypeOf(e)) is { } code ? new Status(code, ReplicaFault.MessageOf(e)) : null;
}
