using System.Net;
using System.Net.Sockets;
using System.Text;
using Serve.Forwarding;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>Request bodies against the gateway's memory: small ones held as they arrive within one budget for all requests, larger ones streamed.</summary>
public sealed class GatewayBodyTests(BodyLimitsFixture fixture) : IClassFixture<BodyLimitsFixture>
{
    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(20));

    [Fact]
    public async Task Forward_SlowBodiesAnnouncingTheLargestSize_StreamAndHoldNothing()
    {
        const int connections = 20;
        const int sent = 100;
        const long announced = connections * BodyLimitsFixture.MaxRequestBodySize;
        var before = GC.GetTotalAllocatedBytes();
        long Allocated() => GC.GetTotalAllocatedBytes() - before;
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync(fixture.Address.Host, fixture.Address.Port);
                var head = $"POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: {BodyLimitsFixture.MaxRequestBodySize}\r\n\r\n";
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head + new string('a', sent)));
            }

            // Every request is on its way to the replica (8 at a time run and pull their bodies, the rest queue) with its
            // body left with the client: nothing counts against the budget, and nothing near the bodies' size is allocated.
            await WaitUntilAsync(() => fixture.Exchanges.Count == connections);
            Assert.Equal(0, fixture.BodyBudget.Used);
            Assert.True(Allocated() < announced / 2, $"{Allocated():N0} bytes allocated while {connections} clients sent {sent} bytes each of {BodyLimitsFixture.MaxRequestBodySize:N0} announced");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
        await WaitUntilAsync(() => fixture.Exchanges.Count == 0);
    }

    [Fact]
    public async Task Forward_ChunkedBodyOverTheLimit_Answers413()
    {
        var answer = await PostChunkedAsync("/body?kind=sha256", BodyLimitsFixture.MaxRequestBodySize + 1024 * 1024);

        Assert.StartsWith("HTTP/1.1 413 ", answer);
        Assert.Contains($"request body over the limit of {BodyLimitsFixture.MaxRequestBodySize} bytes", answer);
    }

    /// <summary>
    /// POSTs <paramref name="size"/> bytes with chunked transfer encoding over a raw socket and returns what the gateway
    /// answered. The gateway answers 413 and closes the connection while the client may still be writing: HttpClient
    /// would then report its failed write instead of the answer, so here the write's failure is ignored and the answer
    /// read from what arrived.
    /// </summary>
    private async Task<string> PostChunkedAsync(string path, long size)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, fixture.Address.Port);
        var stream = socket.GetStream();
        var chunk = new byte[64 * 1024];
        try
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{fixture.Address.Port}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
            for (long sent = 0; sent < size; sent += chunk.Length)
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
                await stream.WriteAsync(chunk);
                await stream.WriteAsync("\r\n"u8.ToArray());
            }
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (IOException)
        {
            // The gateway stopped reading once the body passed the limit.
        }
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (System.Text.Encoding.ASCII.GetString(received.ToArray()).Contains("request body", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Reset after the answer: what arrived is the answer.
        }
        return System.Text.Encoding.ASCII.GetString(received.ToArray());
    }

    [Fact]
    public async Task Forward_AnnouncedBodyOverTheLimit_Answers413BeforeTheExchange()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/body?kind=sha256") { Content = new ByteArrayContent(new byte[BodyLimitsFixture.MaxRequestBodySize + 1]) };
        request.Headers.ExpectContinue = true;

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Forward_StreamedBodiesHeldByHandlers_TakeNothingFromTheBudget()
    {
        const int size = 12 * 1024 * 1024;
        var gate = Gate.Create(nameof(Forward_StreamedBodiesHeldByHandlers_TakeNothingFromTheBudget));
        var first = fixture.Http.PostAsync($"/body?kind=hold&gate={gate.Name}", new ByteArrayContent(new byte[size]));
        var second = fixture.Http.PostAsync($"/body?kind=hold&gate={gate.Name}", new ByteArrayContent(new byte[size]));
        await gate.WhenArrivedAsync(2);
        Assert.Equal(0, fixture.BodyBudget.Used);
        gate.Open();
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), ((await first).StatusCode, (await second).StatusCode));
    }

    [Fact]
    public async Task Forward_BudgetHeldByBodies_Answers503WithRetryAfterThenRecovers()
    {
        const int probe = 60 * 1024;
        // Inline bodies (64 KiB at most) count against the budget: here, what other requests would hold is taken at once.
        var held = BodyLimitsFixture.Budget - probe / 2;
        Assert.True(fixture.BodyBudget.TryTake(held));
        try
        {
            using var refused = await SendProbeAsync();
            var error = await refused.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            Assert.Contains($"the gateway holds as many request bodies as it may ({BodyLimitsFixture.Budget} bytes, Serve:Http:RequestBodyBudget); retry later", error);
        }
        finally
        {
            fixture.BodyBudget.Return(held);
        }
        using var accepted = await SendProbeAsync();
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("body", await accepted.Content.ReadAsStringAsync());
        await WaitUntilAsync(() => fixture.BodyBudget.Used == 0);

        Task<HttpResponseMessage> SendProbeAsync()
        {
            // Expect: 100-continue: a refused body is never sent.
            var request = new HttpRequestMessage(HttpMethod.Post, "/body?kind=string") { Content = new ByteArrayContent(new byte[probe]) };
            request.Headers.ExpectContinue = true;
            return fixture.Http.SendAsync(request);
        }
    }
}
