using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serve.Grpc;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>
/// When a call starts, through the gateway's gRPC forwarder on a clock that never moves (on h2c of its own, before the
/// gateway fixture's cluster): a call that waited for the start window would never start here.
/// </summary>
[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcCallStartTests(GrpcGatewayFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private WebApplication _frontDoor = null!;
    private GrpcChannel _channel = null!;

    private GrpcProbe.GrpcProbeClient Probe => new(_channel);

    public async Task InitializeAsync()
    {
        var forwarder = ActivatorUtilities.CreateInstance<GrpcForwarder>(fixture.Services, new FakeTimeProvider());
        (_frontDoor, var addresses) = await LoopbackServer.StartAsync(forwarder.ForwardAsync, HttpProtocols.Http2);
        _channel = GrpcChannel.ForAddress(addresses[0]);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _frontDoor.StopAsync();
        await _frontDoor.DisposeAsync();
    }

    [Fact]
    public async Task Chat_FirstMessageThenWaitsForItsAnswer_AnsweredWithoutTheStartWindowPassing()
    {
        using var call = Probe.Chat();

        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "first" });

        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), "no answer to the first message");
        Assert.Equal("first", call.ResponseStream.Current.Text);
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "second" });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), "no answer to the second message");
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Greet_ClientWaitsForTheServersFirstMessage_AnsweredWithoutTheStartWindowPassing()
    {
        // The gateway knows Greet takes a stream from its client once it has the deployment's replica set: any call made.
        await Probe.EchoAsync(new ProbeRequest { Text = "warm" }).ResponseAsync.WaitAsync(Patience);
        using var call = Probe.Greet();

        // The client sends nothing until the server has spoken: a call that waited for a first message would never start.
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), "no greeting");
        Assert.Equal("hello", call.ResponseStream.Current.Text);
        await call.RequestStream.WriteAsync(new ProbeRequest { Text = "first" });
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), "no answer to the first message");
        Assert.Equal("first", call.ResponseStream.Current.Text);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Sum_MessagesSentOneByOne_AnsweredWithoutTheStartWindowPassing()
    {
        using var call = Probe.Sum();

        for (var i = 1; i <= 3; i++)
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Count = i });
        }
        await call.RequestStream.CompleteAsync();

        Assert.Equal("6 from 3", (await call.ResponseAsync.WaitAsync(Patience)).Text);
    }

    [Fact]
    public async Task Echo_Unary_Answered()
    {
        // Whether its end comes with its message (one trip) or just after (the replica pulls the end), a unary call needs no window.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"hello {i}", (await Probe.EchoAsync(new ProbeRequest { Text = $"hello {i}" }).ResponseAsync.WaitAsync(Patience)).Text);
        }
    }
}
