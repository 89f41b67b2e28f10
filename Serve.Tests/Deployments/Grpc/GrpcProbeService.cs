using Grpc.Core;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>The test service, run by Grpc.AspNetCore in a <see cref="GrpcProbeIngress"/> replica.</summary>
public sealed class GrpcProbeService(IGrpcProbeLabel ingress) : GrpcProbe.GrpcProbeBase
{
    public override Task<ProbeReply> Echo(ProbeRequest request, ServerCallContext context) =>
        Task.FromResult(Reply(request.Text, context));

    public override async Task Count(ProbeRequest request, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        for (var i = 1; i <= request.Count; i++)
        {
            await responseStream.WriteAsync(Reply(i.ToString(System.Globalization.CultureInfo.InvariantCulture), context), context.CancellationToken);
            await Task.Delay(20, context.CancellationToken);
        }
        context.ResponseTrailers.Add("x-count", request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public override async Task<ProbeReply> Wait(ProbeRequest request, ServerCallContext context)
    {
        await Gate.Get(request.Gate).PassAsync(context.CancellationToken);
        return Reply("passed", context);
    }

    public override Task<ProbeReply> Fail(ProbeRequest request, ServerCallContext context) =>
        throw new InvalidOperationException("the probe failed on purpose");

    public override async Task<ProbeReply> Sum(IAsyncStreamReader<ProbeRequest> requestStream, ServerCallContext context)
    {
        long sum = 0;
        var messages = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            sum += request.Count;
            messages++;
        }
        return Reply(FormattableString.Invariant($"{sum} from {messages}"), context);
    }

    public override async Task Chat(IAsyncStreamReader<ProbeRequest> requestStream, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        string? gate = null;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                gate = string.IsNullOrEmpty(request.Gate) ? gate : request.Gate;
                await responseStream.WriteAsync(Reply(request.Text, context), context.CancellationToken);
            }
        }
        catch (Exception) when (gate is not null)
        {
            // The wait for the next message ended (whatever Grpc.AspNetCore's reader made of the call's end): the gate learns
            // whether the handler's token fires, now or a moment later (a deadline's cancellation and the read's failure
            // reach the handler in no set order).
            await Gate.Get(gate).PassAsync(context.CancellationToken);
            return;
        }
        if (gate is not null)
        {
            // The stream ended without an error (the call's end seen as the client's): as above.
            await Gate.Get(gate).PassAsync(context.CancellationToken);
        }
    }

    public override async Task Greet(IAsyncStreamReader<ProbeRequest> requestStream, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        await responseStream.WriteAsync(Reply("hello", context), context.CancellationToken);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(Reply(request.Text, context), context.CancellationToken);
        }
    }

    private ProbeReply Reply(string text, ServerCallContext context) => new()
    {
        Text = text,
        Label = ingress.Label,
        DeadlineMs = context.Deadline == DateTime.MaxValue ? -1 : (long)(context.Deadline - DateTime.UtcNow).TotalMilliseconds,
    };
}
