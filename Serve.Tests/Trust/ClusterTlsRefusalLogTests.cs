using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Cluster;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Trust;

/// <summary>
/// Loops of bad connects to a silo's Orleans ports (silo and client), on real sockets: a certificate from another CA,
/// and bytes that are not TLS. Refused each time, at the cost of one warning in the silo's log, not one each (Orleans'
/// own warning for each included). A silo of its own, so its first refusal is this test's.
/// </summary>
public sealed class ClusterTlsRefusalLogTests(TlsSiloFixture silo) : IClassFixture<TlsSiloFixture>
{
    private const string Category = "Serve.Cluster.ClusterTls";

    [Fact]
    public async Task OrleansPorts_ManyBadConnects_OneWarningTheRestAtDebug()
    {
        using var otherCa = TestCertificateAuthority.Create("Not the cluster's CA");
        using var certificate = otherCa.Issue("intruder");
        var refusals = silo.Services.GetRequiredService<ClusterTlsRefusals>();
        // A client of the cluster first: its connection, once ended, is not a refusal.
        await ClientCallsAndLeavesAsync();

        for (var i = 0; i < 40; i++)
        {
            await ConnectWithCertificateAsync(Port(i), certificate);
        }
        for (var i = 0; i < 10; i++)
        {
            await SendGarbageAsync(Port(i));
        }

        await WaitForAsync(() => refusals.Total >= 50 && Refusals().Count >= 50);
        Assert.Equal(50, refusals.Total);
        var warning = Assert.Single(silo.Log.Records, r => r.Level >= LogLevel.Warning && !IsAboutTheMachine(r.Category));
        Assert.Equal((Category, LogLevel.Warning, ServeEvents.ClusterPeerRefused), (warning.Category, warning.Level, warning.Id.Id));
        Assert.Contains("Refused a cluster connection from 127.0.0.1:", warning.Message, StringComparison.Ordinal);
        Assert.Contains("the peer's certificate 'CN=intruder'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("does not chain to the cluster's CA", warning.Message, StringComparison.Ordinal);
        var again = Refusals().Where(r => r.Level == LogLevel.Debug && r.Id.Id == ServeEvents.ClusterPeerRefusedAgain).ToList();
        Assert.Equal(49, again.Count);
        Assert.Equal(10, again.Count(r => r.Message.Contains("its TLS handshake failed or did not end in time", StringComparison.Ordinal)));
    }

    private async Task ClientCallsAndLeavesAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Configuration.AddInMemoryCollection(silo.ClientSettings());
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        using var client = builder.Build();
        await client.StartAsync().WaitAsync(Patience);
        Assert.NotNull(await client.Services.GetRequiredService<IServeClient>().GetStatusAsync().WaitAsync(Patience));
        await client.StopAsync().WaitAsync(Patience);
    }

    /// <summary>Half to the silo port, half to the client (gateway) port: one log for both.</summary>
    private int Port(int i) => i % 2 == 0 ? silo.SiloPort : silo.GatewayPort;

    /// <summary>
    /// Orleans' notes about the machine, not about connections: at a silo's start (garbage collection settings, a stalled
    /// check) and whenever a loaded machine stalls its thread pool (the silo's self-monitoring).
    /// </summary>
    private static bool IsAboutTheMachine(string category) =>
        category is "Orleans.Runtime.Silo" or "Orleans.Runtime.Watchdog" or "Orleans.Runtime.MembershipService.LocalSiloHealthMonitor";

    private List<(string Category, LogLevel Level, EventId Id, string Message)> Refusals() =>
        [.. silo.Log.Records.Where(r => r.Category == Category)];

    /// <summary>A TLS connect that trusts any silo and presents <paramref name="certificate"/>; refused by the silo at its handshake.</summary>
    private static async Task ConnectWithCertificateAsync(int port, X509Certificate2 certificate)
    {
        using var socket = await ConnectAsync(port);
        await StrangerTls.TryAsync(socket, certificate, Patience);
    }

    /// <summary>Not TLS at all: the silo ends the connection at its handshake.</summary>
    private static async Task SendGarbageAsync(int port)
    {
        using var socket = await ConnectAsync(port);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: silo\r\n\r\n"u8.ToArray());
        await ReceiveUntilClosedAsync(socket);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Patience);
        return socket;
    }
}
