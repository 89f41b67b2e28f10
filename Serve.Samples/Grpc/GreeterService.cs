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

    /// <inheritdoc />
    public override async Task<HelloReply> SayHelloToAll(IAsyncStreamReader<HelloRequest> requestStream, ServerCallContext context)
    {
        var names = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            names.Add(Name(request));
        }
        return new HelloReply
        {
            Message = names.Count switch
            {
                0 => "Hello nobody!",
                1 => $"Hello {names[0]}!",
                _ => $"Hello {string.Join(", ", names[..^1])} and {names[^1]}!",
            },
        };
    }

    /// <inheritdoc />
    public override async Task Chat(IAsyncStreamReader<HelloRequest> requestStream, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new HelloReply { Message = $"Hello {Name(request)}!" }, context.CancellationToken);
        }
    }

    /// <inheritdoc />
    public override async Task Welcome(IAsyncStreamReader<HelloRequest> requestStream, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
    {
        await responseStream.WriteAsync(new HelloReply { Message = "Welcome! Who's there?" }, context.CancellationToken);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new HelloReply { Message = $"Hello {Name(request)}!" }, context.CancellationToken);
        }
    }

    private static string Name(HelloRequest request) => string.IsNullOrWhiteSpace(request.Name) ? "world" : request.Name;
}
