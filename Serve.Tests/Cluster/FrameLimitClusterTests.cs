using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Serve.Exchange;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// A replica's answer over its silo's data-plane frame limit (<c>Serve:Silo:ExchangeMaxFrameBytes</c>), with real
/// processes: a worker started with a low limit and a custom resource only it offers, so the tests' replicas land there.
/// A handle caller gets <see cref="MessageTooLargeException"/> (its size, limit and setting with it); an HTTP or gRPC
/// answer, a large write and a large WebSocket message each way arrive whole, in frames that fit. The connection stays
/// open, and calls on it before and after are answered.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class FrameLimitClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private const int Limit = 64 * 1024;
    private const int Oversized = 2 * Limit;
    private const string Resource = "smallframes";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> SmallFrames = new()
    {
        ["Serve__Silo__ExchangeMaxFrameBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Serve__Silo__Resources__Custom__{Resource}"] = "4",
    };

    private static DeploymentOptions OnTheSmallFramesWorker(DeploymentOptions options) =>
        options with { NumReplicas = 1, Resources = new ReplicaResources { Custom = new Dictionary<string, double> { [Resource] = 1 } } };

    [Fact]
    public async Task Handle_AnswerOverTheReplicasSiloFrameLimit_MessageTooLargeNamingSizeLimitAndSettingAndTheConnectionGoesOn()
    {
        await cluster.EnsureAllRunningAsync();
        var worker = await cluster.StartWorkerAsync("worker-small-frames-handle", SmallFrames);
        var exchange = cluster.ClientServices.GetRequiredService<ExchangeClient>();
        try
        {
            var answers = await cluster.Serve.RunAsync<IAnswers>(Deployment.For<Answers>().Options(OnTheSmallFramesWorker).Bind(), "frames-handle", null);
            // The first calls go through Orleans, which carries this answer, while the client connects to the worker's data plane.
            var giveUp = DateTime.UtcNow + Patience;
            while (true)
            {
                var before = exchange.Calls;
                Assert.Equal(10, (await answers.Remote.TextAsync(10).WaitAsync(Patience)).Length);
                if (exchange.Calls == before + 1)
                {
                    break;
                }
                Assert.True(DateTime.UtcNow < giveUp, $"no handle call went over the data plane within {Patience.TotalSeconds:0} s");
                await Task.Delay(50);
            }

            var sentBefore = exchange.Calls;
            var slow = answers.Remote.TextAsync(10, milliseconds: 2000);
            var error = await Assert.ThrowsAsync<MessageTooLargeException>(() => answers.Remote.TextAsync(Oversized).WaitAsync(Patience));
            var after = await answers.Remote.TextAsync(10).WaitAsync(Patience);

            Assert.Matches($@"^A message of \d+ bytes between processes is over the data plane's limit of {Limit} bytes \(Serve:Silo:ExchangeMaxFrameBytes\)\.", error.Message);
            // Not only its message crossed the processes: its size, limit and setting did too.
            Assert.Equal((Limit, "Serve:Silo:ExchangeMaxFrameBytes"), (error.Limit, error.Setting));
            Assert.True(error.Size > Oversized, $"{error.Size}");
            Assert.Contains($"A message of {error.Size} bytes", error.Message, StringComparison.Ordinal);
            Assert.True(long.Parse(System.Text.RegularExpressions.Regex.Match(error.Message, @"of (\d+) bytes").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > Oversized,
                error.Message);
            // The call waiting on the same connection when the answer failed, and the next one, went over the data plane and were answered.
            Assert.Equal((10, 10), ((await slow.WaitAsync(Patience)).Length, after.Length));
            Assert.Equal(sentBefore + 3, exchange.Calls);
        }
        catch
        {
            output.WriteLine($"{worker.Name} wrote:{Environment.NewLine}{worker.RecentOutput}");
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync("frames-handle").WaitAsync(Patience);
            await worker.KillAsync();
            await cluster.WaitForActiveSilosAsync();
        }
    }

    [Fact]
    public async Task Http_IngressAnswerOverTheReplicasSiloFrameLimit_StreamsWholeAndTheConnectionGoesOn()
    {
        await cluster.EnsureAllRunningAsync();
        var worker = await cluster.StartWorkerAsync("worker-small-frames-http", SmallFrames);
        var gateway = await cluster.StartGatewayAsync("gateway-small-frames", new Dictionary<string, string> { ["Logging__LogLevel__Serve.Exchange"] = "Debug" });
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Patience };
        try
        {
            await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(OnTheSmallFramesWorker).Bind(), "frames-http", "/frames-http");
            await gateway.WaitForRouteAsync("/frames-http", Patience);
            // The first exchanges go through Orleans, which carries this answer, while the gateway connects to the worker's data plane.
            await UntilOnTheDataPlaneAsync(http, gateway, "/frames-http?size=10");

            var slow = GetAsync(http, "/frames-http?ms=2000", CancellationToken.None);
            var (oversized, oversizedId) = await GetAsync(http, $"/frames-http?size={Oversized}", CancellationToken.None);
            var (after, afterId) = await GetAsync(http, "/frames-http?size=10", CancellationToken.None);

            using (oversized)
            {
                // Given whole, and over one frame: its body streamed, in frames the worker's limit takes.
                var body = await oversized.Content.ReadAsStringAsync();
                Assert.True(oversized.StatusCode == HttpStatusCode.OK, $"{(int)oversized.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
                Assert.Equal(new string('x', Oversized), body);
                Assert.Equal(oversizedId, oversized.Headers.GetValues("x-request-id").Single());
            }
            await gateway.WaitForLineAsync(line => line.Contains($"Data plane: exchange {oversizedId}", StringComparison.Ordinal), Patience);
            // The exchange waiting on the same connection when the answer failed, and the next one, were answered over it.
            var (slowResponse, slowId) = await slow.WaitAsync(Patience);
            using (slowResponse)
            using (after)
            {
                Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (slowResponse.StatusCode, after.StatusCode));
            }
            await gateway.WaitForLineAsync(line => line.Contains($"Data plane: exchange {slowId}", StringComparison.Ordinal), Patience);
            await gateway.WaitForLineAsync(line => line.Contains($"Data plane: exchange {afterId}", StringComparison.Ordinal), Patience);
            Assert.DoesNotContain("Data plane: the connection to", gateway.RecentOutput, StringComparison.Ordinal);

            // A body over what travels inline in the call: the replica pulls it over the same connection, in pieces its silo's limit takes.
            var mark = Path.Combine(Path.GetTempPath(), $"serve-frames-{Guid.NewGuid():N}");
            try
            {
                var body = new byte[3 * Limit];
                var uploadId = Guid.NewGuid().ToString("N");
                using var upload = new HttpRequestMessage(HttpMethod.Post, $"/frames-http?mark={Uri.EscapeDataString(mark)}") { Content = new ByteArrayContent(body) };
                upload.Headers.Add("x-request-id", uploadId);
                using var uploaded = await http.SendAsync(upload);
                var text = await uploaded.Content.ReadAsStringAsync();
                Assert.True(uploaded.StatusCode == HttpStatusCode.OK, $"{(int)uploaded.StatusCode}: {text}");
                Assert.EndsWith($" {body.Length}", text, StringComparison.Ordinal);
                await gateway.WaitForLineAsync(line => line.Contains($"Data plane: exchange {uploadId}", StringComparison.Ordinal), Patience);
                Assert.DoesNotContain("Data plane: the connection to", gateway.RecentOutput, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(mark);
            }
        }
        catch
        {
            output.WriteLine($"gateway wrote:{Environment.NewLine}{gateway.RecentOutput}");
            output.WriteLine($"{worker.Name} wrote:{Environment.NewLine}{worker.RecentOutput}");
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync("frames-http").WaitAsync(Patience);
            await gateway.KillAsync();
            await worker.KillAsync();
            await cluster.WaitForActiveSilosAsync();
        }
    }

    [Fact]
    public async Task Grpc_UnaryReplyOverTheReplicasSiloFrameLimit_ArrivesWholeAndTheConnectionGoesOn()
    {
        await cluster.EnsureAllRunningAsync();
        var worker = await cluster.StartWorkerAsync("worker-small-frames-grpc", SmallFrames);
        var http2Port = FreePorts.Take(1)[0];
        var gateway = await cluster.StartGatewayAsync("gateway-small-frames-grpc", new Dictionary<string, string>
        {
            ["Logging__LogLevel__Serve.Exchange"] = "Debug",
            ["Serve__Http__Http2Port"] = http2Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{http2Port}", new GrpcChannelOptions { MaxReceiveMessageSize = 4 * Oversized });
        var probe = new GrpcProbe.GrpcProbeClient(channel);
        var label = new string('x', Oversized);
        try
        {
            // Every Echo answers with the label: over the worker's limit. Orleans carries it while the gateway connects to
            // the worker's data plane; then the calls go over the data plane, and their replies stream in frames that fit.
            await cluster.Serve.RunAsync(
                Deployment.For<GrpcProbeIngress>().Options(OnTheSmallFramesWorker).Bind(label),
                new RunOptions { Name = "frames-grpc", RoutePrefix = "/frames-grpc" });
            var giveUp = DateTime.UtcNow + Patience;
            while (true)
            {
                var requestId = Guid.NewGuid().ToString("N");
                try
                {
                    var reply = await probe.EchoAsync(new() { Text = "hi" }, new Metadata { { "x-request-id", requestId } }, deadline: DateTime.UtcNow + Patience);
                    Assert.Equal(("hi", label), (reply.Text, reply.Label));
                    if (gateway.RecentOutput.Contains($"Data plane: exchange {requestId}", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
                {
                    // The gateway learns the service with the replica set, just after the route.
                }
                Assert.True(DateTime.UtcNow < giveUp, $"no gRPC call went over the data plane within {Patience.TotalSeconds:0} s");
                await Task.Delay(50);
            }

            // The next call goes over the same connection, and is answered whole too.
            var nextId = Guid.NewGuid().ToString("N");
            var next = await probe.EchoAsync(new() { Text = "again" }, new Metadata { { "x-request-id", nextId } }, deadline: DateTime.UtcNow + Patience);
            Assert.Equal(("again", label), (next.Text, next.Label));
            await gateway.WaitForLineAsync(line => line.Contains($"Data plane: exchange {nextId}", StringComparison.Ordinal), Patience);
            Assert.DoesNotContain("Data plane: the connection to", gateway.RecentOutput, StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine($"gateway wrote:{Environment.NewLine}{gateway.RecentOutput}");
            output.WriteLine($"{worker.Name} wrote:{Environment.NewLine}{worker.RecentOutput}");
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync("frames-grpc").WaitAsync(Patience);
            await gateway.KillAsync();
            await worker.KillAsync();
            await cluster.WaitForActiveSilosAsync();
        }
    }

    [Fact]
    public async Task Http_OneLargeWriteBytesResultAndWebSocketMessageEachWay_ArriveWholeInFramesTheSmallLimitTakes()
    {
        const int Large = 1024 * 1024;
        await cluster.EnsureAllRunningAsync();
        var worker = await cluster.StartWorkerAsync("worker-small-frames-large", SmallFrames);
        var gateway = await cluster.StartGatewayAsync("gateway-small-frames-large", new Dictionary<string, string> { ["Logging__LogLevel__Serve.Exchange"] = "Debug" });
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Patience };
        var expected = LargeWritesEndpoints.Pattern(Large);
        try
        {
            await cluster.Serve.RunAsync(Deployment.For<LargeWritesEndpoints>().Options(OnTheSmallFramesWorker).Bind(), "frames-large", "/frames-large");
            await gateway.WaitForRouteAsync("/frames-large", Patience);
            await UntilOnTheDataPlaneAsync(http, gateway, "/frames-large/bytes?size=10");

            foreach (var path in new[] { "write", "write-and-wait", "bytes" })
            {
                var (response, requestId) = await GetAsync(http, $"/frames-large/{path}?size={Large}", CancellationToken.None);
                using (response)
                {
                    var body = await response.Content.ReadAsByteArrayAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 500)])}");
                    Assert.True(expected.AsSpan().SequenceEqual(body), $"{path}: {body.Length} bytes, not the {Large} written");
                }
                await gateway.WaitForLineAsync(line => line.Contains($"Data plane: exchange {requestId}", StringComparison.Ordinal), Patience);
            }

            // One message of the gateway's largest each way: the client's to the replica, and the replica's one SendAsync back.
            using var socket = new System.Net.WebSockets.ClientWebSocket();
            var socketId = Guid.NewGuid().ToString("N");
            socket.Options.SetRequestHeader("x-request-id", socketId);
            var url = new Uri(gateway.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "frames-large/echo");
            using var wsDeadline = new CancellationTokenSource(Patience);
            await socket.ConnectAsync(url, wsDeadline.Token);
            for (var round = 0; round < 2; round++)
            {
                await socket.SendAsync(expected, System.Net.WebSockets.WebSocketMessageType.Binary, true, wsDeadline.Token);
                var echoed = new MemoryStream();
                var buffer = new byte[64 * 1024];
                System.Net.WebSockets.WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, wsDeadline.Token);
                    Assert.True(result.MessageType == System.Net.WebSockets.WebSocketMessageType.Binary, $"{result.MessageType} {socket.CloseStatus} {socket.CloseStatusDescription}");
                    echoed.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                Assert.True(expected.AsSpan().SequenceEqual(echoed.ToArray()), $"round {round}: {echoed.Length} bytes echoed, not the {Large} sent");
            }
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", wsDeadline.Token);
            // Its messages went over the data plane, each way.
            await gateway.WaitForLineAsync(line => line.Contains($"Data plane: Receive on exchange {socketId}", StringComparison.Ordinal), Patience);
            await gateway.WaitForLineAsync(line => line.Contains($"Data plane: Send on exchange {socketId}", StringComparison.Ordinal), Patience);
            Assert.DoesNotContain("Data plane: the connection to", gateway.RecentOutput, StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine($"gateway wrote:{Environment.NewLine}{gateway.RecentOutput}");
            output.WriteLine($"{worker.Name} wrote:{Environment.NewLine}{worker.RecentOutput}");
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync("frames-large").WaitAsync(Patience);
            await gateway.KillAsync();
            await worker.KillAsync();
            await cluster.WaitForActiveSilosAsync();
        }
    }

    /// <summary>GETs <paramref name="path"/> (answered 200) until the gateway logs one of them as sent on the data plane.</summary>
    private static async Task UntilOnTheDataPlaneAsync(HttpClient http, GatewayProcess gateway, string path)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var (warm, warmId) = await GetAsync(http, path, deadline.Token);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            warm.Dispose();
            if (gateway.RecentOutput.Contains($"Data plane: exchange {warmId}", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(50, deadline.Token);
        }
    }

    /// <summary>A GET with a request id of its own, and that id.</summary>
    private static async Task<(HttpResponseMessage Response, string RequestId)> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-request-id", requestId);
        return (await http.SendAsync(request, cancellationToken), requestId);
    }
}
