using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Serve.Tests.Deployments.Composition;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcGatewayTests(GrpcGatewayFixture fixture)
{
    private GrpcProbe.GrpcProbeClient Probe => fixture.Probe;

    private static Metadata Application(string name) => new() { { "application", name } };

    [Fact]
    public async Task Echo_ServiceDeclaredByOneApplication_RoutedToIt()
    {
        var reply = await Probe.EchoAsync(new ProbeRequest { Text = "hi" });

        Assert.Equal(("hi", "declared"), (reply.Text, reply.Label));
    }

    [Fact]
    public async Task Echo_ApplicationMetadata_RoutedToNamedApplication()
    {
        var reply = await Probe.EchoAsync(new ProbeRequest { Text = "hi" }, Application("probe-other"));

        Assert.Equal("other", reply.Label);
    }

    [Fact]
    public async Task Echo_UnknownApplicationMetadata_NotFoundNamingIt()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Probe.EchoAsync(new ProbeRequest(), Application("nobody")).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("'nobody'", error.Status.Detail);
    }

    [Fact]
    public async Task Call_ServiceNoApplicationDeclares_UnimplementedNamingIt()
    {
        var bytes = Marshallers.Create(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.Unary, "serve.tests.Nobody", "Call", bytes, bytes);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, new global::Grpc.Core.CallOptions(), []).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("serve.tests.Nobody", error.Status.Detail);
    }

    private async Task RunPipelineAsync(string app)
    {
        await fixture.RunAsync(Deployment.For<GrpcStageIngress>().Bind(
            Deployment.For<Stage>().Options(o => o with { Name = "pre" }).Bind("pre",
                Deployment.For<Stage>().Options(o => o with { Name = "model" }).Bind("model",
                    Deployment.For<Stage>().Options(o => o with { Name = "post", MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind("post", null)))), app);
    }

    [Fact]
    public async Task Echo_DeploymentThreeCallsDownFull_ResourceExhaustedNamingIt()
    {
        await RunPipelineAsync("grpc-deep-full");
        var gate = Gate.Create(nameof(Echo_DeploymentThreeCallsDownFull_ResourceExhaustedNamingIt) + Guid.NewGuid().ToString("N"));
        var held = Probe.EchoAsync(new ProbeRequest { Text = "hold", Gate = gate.Name }, Application("grpc-deep-full")).ResponseAsync;
        await gate.WhenArrivedAsync(1).WaitAsync(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<RpcException>(() => Probe.EchoAsync(new ProbeRequest { Text = "ok" }, Application("grpc-deep-full")).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.ResourceExhausted, $"{error.StatusCode}: {error.Status.Detail}");
        Assert.Contains("Deployment 'grpc-deep-full/post' is at capacity", error.Status.Detail);
        gate.Open();
        Assert.Equal("pre>model>post", (await held).Text);
        await fixture.Serve.DeleteAsync("grpc-deep-full");
    }

    [Fact]
    public async Task Echo_HandleCallTimesOutDownThePipeline_DeadlineExceeded()
    {
        await RunPipelineAsync("grpc-deep-timeout");
        var gate = Gate.Create(nameof(Echo_HandleCallTimesOutDownThePipeline_DeadlineExceeded) + Guid.NewGuid().ToString("N"));

        // No deadline of the client's: the ingress's own call down the pipeline times out.
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Probe.EchoAsync(new ProbeRequest { Text = "hold", Gate = gate.Name, Count = 300 }, Application("grpc-deep-timeout")).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.DeadlineExceeded, $"{error.StatusCode}: {error.Status.Detail}");
        Assert.Contains("grpc-deep-timeout/pre", error.Status.Detail);
        gate.Open();
        await fixture.Serve.DeleteAsync("grpc-deep-timeout");
    }

    [Fact]
    public async Task Echo_ApplicationsOwnException_StillUnknown()
    {
        await RunPipelineAsync("grpc-deep-throw");

        var error = await Assert.ThrowsAsync<RpcException>(() => Probe.EchoAsync(new ProbeRequest { Text = "throw" }, Application("grpc-deep-throw")).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        await fixture.Serve.DeleteAsync("grpc-deep-throw");
    }

    [Fact]
    public async Task Count_ServerStreaming_StreamsEveryReplyThenTrailers()
    {
        using var call = Probe.Count(new ProbeRequest { Count = 5 });

        var texts = new List<string>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            texts.Add(reply.Text);
        }

        Assert.Equal(["1", "2", "3", "4", "5"], texts);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("5", call.GetTrailers().GetValue("x-count"));
    }

    [Fact]
    public async Task Wait_ClientDeadlineShorterThanHandler_DeadlineExceededAndHandlerCancelled()
    {
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Probe.WaitAsync(new ProbeRequest { Gate = gate.Name }, deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Wait_GrpcTimeoutHeader_ServerAnswersDeadlineExceeded()
    {
        // Raw HTTP/2, so the status read is the server's: Grpc.Net.Client would end the call itself at its deadline.
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        using var http = new HttpClient();
        using var request = GrpcRequest("/serve.tests.GrpcProbe/Wait", new ProbeRequest { Gate = gate.Name });
        request.Headers.Add("grpc-timeout", "300m");

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal((HttpStatusCode.OK, new Version(2, 0)), (response.StatusCode, response.Version));
        Assert.Equal("4", GrpcStatusOf(response));
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("99999999H")]   // the largest grpc-timeout: 11,000 years
    [InlineData("1200H")]       // 50 days: past what a timer takes (49.7 days)
    public async Task Echo_GrpcTimeoutPastATimersRange_AnsweredWithTheDeadline(string timeout)
    {
        // A client's deadline months away (grpc-go, grpc-java send what the caller set) is a valid call, not a fault.
        using var http = new HttpClient();
        using var request = GrpcRequest("/serve.tests.GrpcProbe/Echo", new ProbeRequest { Text = "far" });
        request.Headers.Add("grpc-timeout", timeout);

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(GrpcStatusOf(response) == "0", $"grpc-status {GrpcStatusOf(response)}: {GrpcMessageOf(response)}");
        var reply = ProbeReply.Parser.ParseFrom(body.AsSpan(5));
        Assert.Equal("far", reply.Text);
        Assert.True(reply.DeadlineMs > TimeSpan.FromDays(49).TotalMilliseconds, $"the handler's deadline was {reply.DeadlineMs} ms away");
    }

    [Theory]
    [InlineData("0m")]
    [InlineData("0n")]
    public async Task Echo_GrpcTimeoutZero_DeadlineExceeded(string timeout)
    {
        using var http = new HttpClient();
        using var request = GrpcRequest("/serve.tests.GrpcProbe/Echo", new ProbeRequest { Text = "now" });
        request.Headers.Add("grpc-timeout", timeout);

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(GrpcStatusOf(response) == "4", $"grpc-status {GrpcStatusOf(response)}: {GrpcMessageOf(response)}");
    }

    [Fact]
    public async Task Wait_RouteRequestTimeout_DeadlineExceededAndHandlerSeesTheDeadline()
    {
        await fixture.RunAsync(Deployment.For<UndeclaredGrpcProbeIngress>().Bind("timed"), "probe-timed", requestTimeout: PassingTimeout.Value);
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));

        var echo = await Probe.EchoAsync(new ProbeRequest(), Application("probe-timed"));
        var error = await Assert.ThrowsAsync<RpcException>(() => Probe.WaitAsync(new ProbeRequest { Gate = gate.Name }, Application("probe-timed")).ResponseAsync);

        Assert.InRange(echo.DeadlineMs, 1, (long)PassingTimeout.Value.TotalMilliseconds);
        Assert.True(error.StatusCode == StatusCode.DeadlineExceeded, $"{error.StatusCode}: {error.Status.Detail}");
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Serve.DeleteAsync("probe-timed");
    }

    [Fact]
    public async Task Wait_RouteRequestTimeoutManyCalls_EveryOneDeadlineExceeded()
    {
        // The deadline races the handler's answer to its cancellation (UNKNOWN): many calls at once, round after round,
        // so that a gateway letting that answer through is caught.
        await fixture.RunAsync(Deployment.For<UndeclaredGrpcProbeIngress>().Bind("timed-many"), "probe-timed-many", requestTimeout: TimeSpan.FromMilliseconds(200));
        var statuses = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            var gate = Gate.Create(Guid.NewGuid().ToString("N"));
            var calls = Enumerable.Range(0, 8).Select(async _ =>
            {
                var error = await Assert.ThrowsAsync<RpcException>(() => Probe.WaitAsync(new ProbeRequest { Gate = gate.Name }, Application("probe-timed-many")).ResponseAsync);
                return error.StatusCode == StatusCode.DeadlineExceeded ? "ok" : $"{error.StatusCode}: {error.Status.Detail}";
            });
            statuses.AddRange(await Task.WhenAll(calls));
        }

        Assert.All(statuses, s => Assert.Equal("ok", s));
        await fixture.Serve.DeleteAsync("probe-timed-many");
    }

    [Fact]
    public async Task Wait_ClientCancels_CancelledAndHandlerCancelled()
    {
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        using var cancel = new CancellationTokenSource();

        var call = Probe.WaitAsync(new ProbeRequest { Gate = gate.Name }, cancellationToken: cancel.Token);
        await gate.WhenArrivedAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Fail_HandlerThrows_UnknownAsGrpcAspNetCoreAnswersIt()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Probe.FailAsync(new ProbeRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
    }

    [Fact]
    public async Task Wait_DeploymentAtCapacityWithNoQueue_ResourceExhausted()
    {
        var app = Deployment.For<UndeclaredGrpcProbeIngress>().Options(o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind("full");
        await fixture.RunAsync(app, "probe-full");
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        var holding = Probe.WaitAsync(new ProbeRequest { Gate = gate.Name }, Application("probe-full"));
        await gate.WhenArrivedAsync(1).WaitAsync(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<RpcException>(() => Probe.EchoAsync(new ProbeRequest(), Application("probe-full")).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        gate.Open();
        Assert.Equal("passed", (await holding).Text);
        await fixture.Serve.DeleteAsync("probe-full");
    }

    private HttpRequestMessage GrpcRequest(string path, IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new("application/grpc");
        return new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Http2Address, path))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    private static string? GrpcMessageOf(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-message", out var trailer) ? trailer.Single()
        : response.Headers.TryGetValues("grpc-message", out var header) ? header.Single()
        : null;

    private static string? GrpcStatusOf(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single()
        : response.Headers.TryGetValues("grpc-status", out var header) ? header.Single()
        : null;
}
