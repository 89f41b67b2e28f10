using global::Grpc.Core;

namespace Serve.Samples.Grpc;

/// <summary>The Greeter service of <c>greet.proto</c>, run by Grpc.AspNetCore inside the ingress's replicas.</summary>
public sealed class GreeterService : Greeter.GreeterBase
{
    /// <summary>Most greetings one <see cref="SayHellos"/> call streams.</summary>
    public const int MaxCount = 100;

    /// <inheritdoc />
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
        Task.FromResult(new HelloReply { Message = $"Hello {Name(request)}!" });

    /// <inheritdoc />
    public override async Task SayHellos(HelloRequest request, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
    {
        if (request.Count is < 1 or > MaxCount)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"count must be between 1 and {MaxCount}, not {request.Count}"));
        }
        for (var i = 1; i <= request.Count; i++)
        {
            await responseStream.WriteAsync(new HelloReply { Message = $"Hello {Name(request)} ({i} of {request.Count})!" }, context.CancellationToken);
            if (i < request.Count)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), context.CancellationToken);
            }
        }
    }

    private static string Name(HelloRequest request) => string.IsNullOrWhiteSpace(request.Name) ? "world" : request.Name;
}
