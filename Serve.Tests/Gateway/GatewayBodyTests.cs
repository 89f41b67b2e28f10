using System.Net;
using System.Net.Sockets;
using System.Text;
using Serve.Forwarding;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>Request bodies against the gateway's memory: held as they arrive, within one budget for all requests.</summary>
public sealed class GatewayBodyTests(BodyLimitsFixture fixture) : IClassFixture<BodyLimitsFixture>
{
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    [Fact]
    public async Task Forward_SlowBodiesAnnouncingTheLargestSize_HoldOnlyWhatArrived()
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

            // Every body is held once the gateway read its bytes; before the fix, each was allocated whole at once instead.
            await WaitUntilAsync(() => fixture.BodyBudget.Used >= connections * RequestBodyBuffer.MinChunk || Allocated() > announced / 2);
            var held = fixture.BodyBudget.Used;
            var allocated = Allocated();

            Assert.True(allocated < announced / 2, $"{allocated:N0} bytes allocated while {connections} clients sent {sent} bytes each of {BodyLimitsFixture.MaxRequestBodySize:N0} announced");
            Assert.InRange(held, connections * sent, connections * RequestBodyBuffer.MinChunk);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
        // Clients gone: everything they held is given back.
        await WaitUntilAsync(() => fixture.BodyBudget.Used == 0);
    }

    [Fact]
    public async Task Forward_BudgetHeldByBodies_Answers503WithRetryAfterThenRecovers()
    {
        const int held = 12 * 1024 * 1024;
        const int probe = 9 * 1024 * 1024;
        var gate = Gate.Create(nameof(Forward_BudgetHeldByBodies_Answers503WithRetryAfterThenRecovers));
        var first = fixture.Http.PostAsync($"/body?kind=hold&gate={gate.Name}", new ByteArrayContent(new byte[held]));
        var second = fixture.Http.PostAsync($"/body?kind=hold&gate={gate.Name}", new ByteArrayContent(new byte[held]));
        await gate.WhenArrivedAsync(2);
        Assert.Equal(2 * held, fixture.BodyBudget.Used);

        using var refused = await SendProbeAsync();
        var error = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains($"the gateway holds as many request bodies as it may ({BodyLimitsFixture.Budget} bytes, Serve:Http:RequestBodyBudget); retry later", error);

        gate.Open();
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), ((await first).StatusCode, (await second).StatusCode));
        await WaitUntilAsync(() => fixture.BodyBudget.Used == 0);
        using var accepted = await SendProbeAsync();
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("body", await accepted.Content.ReadAsStringAsync());

        Task<HttpResponseMessage> SendProbeAsync()
        {
            // Expect: 100-continue: a refused body is never sent.
            var request = new HttpRequestMessage(HttpMethod.Post, "/body?kind=string") { Content = new ByteArrayContent(new byte[probe]) };
            request.Headers.ExpectContinue = true;
            return fixture.Http.SendAsync(request);
        }
    }
}
