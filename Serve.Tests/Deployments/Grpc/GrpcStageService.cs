using Grpc.Core;
using Serve.Tests.Deployments.Composition;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>
/// The probe service of a <see cref="GrpcStageIngress"/>: <c>Echo</c> runs the order <c>text</c> (with its <c>gate</c>)
/// down the pipeline and answers the stages' names; a <c>count</c> is the handle call's timeout in milliseconds.
/// </summary>
public sealed class GrpcStageService(GrpcStageIngress ingress) : GrpcProbe.GrpcProbeBase
{
    public override async Task<ProbeReply> Echo(ProbeRequest request, ServerCallContext context)
    {
        var head = request.Count > 0 ? ingress.Head.WithOptions(new CallOptions { Timeout = TimeSpan.FromMilliseconds(request.Count) }) : ingress.Head;
        var gate = string.IsNullOrEmpty(request.Gate) ? null : request.Gate;
        return new ProbeReply { Text = await head.Remote.RunAsync(new StageOrder(request.Text, gate), context.CancellationToken) };
    }
}
