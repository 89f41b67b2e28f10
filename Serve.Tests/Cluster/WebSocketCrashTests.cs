using System.Net.WebSockets;
using System.Text;
using Serve.Tests.Deployments.Http;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class WebSocketCrashTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_WorkerServingWebSocket_ClientGetsClose1011()
    {
        await cluster.EnsureAllRunningAsync();
        await cluster.Serve.RunAsync(Deployment.For<WebSocketEndpoints>().Options(o => o with { NumReplicas = 1 }).Bind(), "ws-crash", "/ws-crash");
        await cluster.Gateway.WaitForRouteAsync("/ws-crash", Patience);
        try
        {
            using var socket = new ClientWebSocket();
            var url = new Uri(cluster.Gateway.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "ws-crash/hold");
            await socket.ConnectAsync(url, CancellationToken.None).WaitAsync(Patience);
            var buffer = new byte[1024];
            var first = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Patience);
            var serving = int.Parse(Encoding.UTF8.GetString(buffer, 0, first.Count), System.Globalization.CultureInfo.InvariantCulture);
            var victim = cluster.Workers.Single(w => w.ProcessId == serving);

            await victim.KillAsync();
            var closed = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Patience);

            Assert.Equal(WebSocketMessageType.Close, closed.MessageType);
            Assert.Equal((WebSocketCloseStatus.InternalServerError, "the replica serving this connection was lost"), (socket.CloseStatus, socket.CloseStatusDescription));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.EnsureAllRunningAsync();
            await cluster.Serve.DeleteAsync("ws-crash");
        }
    }
}
