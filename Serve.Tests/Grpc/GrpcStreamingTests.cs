using Grpc.Core;
using Serve.Samples.Grpc;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>Client-streaming and bidirectional calls through the gateway, with a real Grpc.Net.Client.</summary>
[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcStreamingTests(GrpcGatewayFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private GrpcProbe.GrpcProbeClient Probe => fixture.Probe;

    [Fact]
    public async Task Sum_ClientStreaming_SumsEveryMessage()
    {
        using var call = Probe.Sum();

        for (var i = 1; i <= 10; i++)
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Count = i });
        }
        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync.WaitAsync(Patience);

        Assert.Equal(("55 from 10", "declared"), (reply.Text, reply.Label));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Sum_ClientStreamingMoreThanTravelsInline_EveryMessagePulledInOrder()
    {
        // 300 messages of 1 KiB: more than the first bytes that travel in the call, so most are pulled from the gateway.
        using var call = Probe.Sum();
        var padding = new string('x', 1024);

        for (var i = 1; i <= 300; i++)
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Count = i, Text = padding });
        }
        await call.RequestStream.CompleteAsync();

        Assert.Equal("45150 from 300", (await call.ResponseAsync.WaitAsync(Patience)).Text);
    }

    [Fact]
    public async Task Chat_Bidirectional_EachMessageAnsweredBeforeTheNextIsSent()
    {
        // Each reply is read before the next message is written: a gateway that waited for the whole request would hang here.
        using var call = Probe.Chat();

        var replies = new List<string>();
        foreach (var text in new[] { "one", "two", "three" })
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Text = text });
            Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), $"no answer to '{text}'");
            replies.Add(call.ResponseStream.Current.Text);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(["one", "two", "three"], replies);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Chat_ClientQuietLongerThanTheBodyRateAllows_StillAnswered()
    {
        // Kestrel ends a request body that arrives slower than MinRequestBodyDataRate once its grace period is over; a
        // bidirectional client that waits (for answers, or a user) sends nothing meanwhile.
        using var call = Probe.Chat();
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "before" });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));

        await Task.Delay(GrpcGatewayFixture.BodyRateGracePeriod * 2);
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "after" });

        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal("after", call.ResponseStream.Current.Text);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Chat_MessageOverTheLimitAfterOthers_ResourceExhaustedNamingTheLimit()
    {
        using var call = Probe.Chat();
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "small" });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));

        // Not awaited first: the gateway reads no further than the message's length, so the write may never finish.
        var writing = call.RequestStream.WriteAsync(new ProbeRequest { Text = new string('x', GrpcGatewayFixture.MaxRequestBodySize + 1) });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Patience));
        await Record.ExceptionAsync(() => writing.WaitAsync(Patience));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains($"over the limit of {GrpcGatewayFixture.MaxRequestBodySize} bytes", error.Status.Detail);
    }

    [Fact]
    public async Task Echo_UnaryMessageOverTheLimit_ResourceExhaustedNamingTheLimit()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Probe.EchoAsync(new ProbeRequest { Text = new string('x', GrpcGatewayFixture.MaxRequestBodySize + 1) }).ResponseAsync.WaitAsync(Patience));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains($"over the limit of {GrpcGatewayFixture.MaxRequestBodySize} bytes", error.Status.Detail);
    }

    [Fact]
    public async Task Chat_DeadlinePassesWhileHandlerWaitsForTheNextMessage_DeadlineExceededAndHandlerCancelled()
    {
        // The deadline counts from the call's start: a cold path (the first call in a run, on a loaded machine) could use it
        // all before the first answer.
        await ChatOnceAsync();
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        using var call = Probe.Chat(deadline: DateTime.UtcNow.AddSeconds(2));
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "hi", Gate = gate.Name });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Patience));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await gate.Cancelled.WaitAsync(Patience);
    }

    [Fact]
    public async Task Chat_ClientCancelsWhileHandlerWaitsForTheNextMessage_HandlerCancelled()
    {
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        using var cancel = new CancellationTokenSource();
        using var call = Probe.Chat(cancellationToken: cancel.Token);
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "hi", Gate = gate.Name });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await gate.Cancelled.WaitAsync(Patience);
    }

    private async Task ChatOnceAsync()
    {
        using var call = Probe.Chat();
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "warm" });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
    }

    [Fact]
    public async Task Greeter_ClientStreamingAndChat_AnsweredThroughTheGateway()
    {
        await fixture.RunAsync(GreeterIngress.App(), "grpc-sample-streams");
        var greeter = new Greeter.GreeterClient(fixture.Channel);
        var application = new Metadata { { "application", "grpc-sample-streams" } };

        using var all = greeter.SayHelloToAll(application);
        foreach (var name in new[] { "Ann", "Bo", "Cy" })
        {
            await all.RequestStream.WriteAsync(new HelloRequest { Name = name });
        }
        await all.RequestStream.CompleteAsync();
        var greeting = await all.ResponseAsync.WaitAsync(Patience);

        using var chat = greeter.Chat(application);
        await chat.RequestStream.WriteAsync(new HelloRequest { Name = "Ann" });
        Assert.True(await chat.ResponseStream.MoveNext().WaitAsync(Patience));
        var first = chat.ResponseStream.Current.Message;
        await chat.RequestStream.WriteAsync(new HelloRequest { Name = "Bo" });
        Assert.True(await chat.ResponseStream.MoveNext().WaitAsync(Patience));
        var second = chat.ResponseStream.Current.Message;
        await chat.RequestStream.CompleteAsync();

        Assert.Equal("Hello Ann, Bo and Cy!", greeting.Message);
        Assert.Equal(("Hello Ann!", "Hello Bo!"), (first, second));
        Assert.False(await chat.ResponseStream.MoveNext().WaitAsync(Patience));
        await fixture.Serve.DeleteAsync("grpc-sample-streams");
    }
}
