using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;
using Serve.Cluster;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Trust;

/// <summary>Who may use a silo's Orleans client port once <c>Serve:Cluster:Tls</c> is set: only holders of a certificate from the cluster's CA.</summary>
public sealed class ClusterTlsTests(TlsSiloFixture silo) : IClassFixture<TlsSiloFixture>
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OrleansClient_WithClusterCertificate_IsServed()
    {
        var builder = ClientBuilder();
        builder.Configuration.AddInMemoryCollection(silo.ClientSettings());
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        using var client = builder.Build();

        await client.StartAsync().WaitAsync(ConnectTimeout);
        var status = await client.Services.GetRequiredService<IServeClient>().GetStatusAsync().WaitAsync(ConnectTimeout);

        Assert.NotNull(status);
        await client.StopAsync();
    }

    [Fact]
    public async Task OrleansClient_WithoutTls_IsRefused()
    {
        var builder = ClientBuilder();
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(silo.GatewayPort, serviceId: silo.ClusterId, clusterId: silo.ClusterId)
            .UseConnectionRetryFilter(NoRetry)
            .AddServeClient());
        using var client = builder.Build();

        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task OrleansClient_WithCertificateFromAnotherCa_IsRefused()
    {
        using var otherCa = TestCertificateAuthority.Create("Not the cluster's CA");
        using var certificate = otherCa.Issue("intruder");
        var builder = ClientBuilder();
        // The intruder trusts any silo: only the silo's check of the client's certificate stands in its way.
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(silo.GatewayPort, serviceId: silo.ClusterId, clusterId: silo.ClusterId)
            .UseConnectionRetryFilter(NoRetry)
            .UseTls(certificate, tls => tls.AllowAnyRemoteCertificate())
            .AddServeClient());
        using var client = builder.Build();

        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task OrleansClient_WithTlsButNoCertificate_IsRefused()
    {
        var builder = ClientBuilder();
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(silo.GatewayPort, serviceId: silo.ClusterId, clusterId: silo.ClusterId)
            .UseConnectionRetryFilter(NoRetry)
            .UseTls(tls =>
            {
                tls.ClientCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.AllowCertificate;
                tls.AllowAnyRemoteCertificate();
            })
            .AddServeClient());
        using var client = builder.Build();

        await AssertRefusedAsync(client);
    }

    [Fact]
    public async Task GatewayPort_StrangerHoldingItsHandshakes_ItsNextConnectionClosedAtOnceAndTheClusterClientServed()
    {
        // Silent connections each wait 10 s for a TLS handshake: before, a stranger could hold as many as it could open,
        // up to the process's last file descriptor. Now 8 per address (64 in all) wait; more are closed at once.
        var stranger = IPAddress.Parse("127.0.0.2");
        var handshakes = silo.Services.GetRequiredService<ClusterHandshakes>();
        List<Socket> held = [];
        try
        {
            for (var i = 0; i < ClusterHandshakes.MaxHandshakesPerAddress; i++)
            {
                held.Add(await ConnectAsync(stranger));
            }
            await Poll.UntilAsync(() => handshakes.Handshaking >= ClusterHandshakes.MaxHandshakesPerAddress, ConnectTimeout);

            var buffer = new byte[16];
            // Closed so soon that the connect itself may fail (EPIPE, ECONNRESET): that is the closing too.
            var closed = await Record.ExceptionAsync(async () =>
            {
                using var next = await ConnectAsync(stranger);
                var read = await next.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Equal(0, read);
            });
            Assert.True(closed is null or SocketException, $"the connection past the bound was not closed at once: {closed}");
            Assert.Contains(silo.Log.Records, r => r.Message.Contains($"{ClusterHandshakes.MaxHandshakesPerAddress} handshakes from its address are under way already", StringComparison.Ordinal));

            var builder = ClientBuilder();
            builder.Configuration.AddInMemoryCollection(silo.ClientSettings());
            builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
            using var client = builder.Build();
            await client.StartAsync().WaitAsync(ConnectTimeout);
            Assert.NotNull(await client.Services.GetRequiredService<IServeClient>().GetStatusAsync().WaitAsync(ConnectTimeout));
            await client.StopAsync();
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    private async Task<Socket> ConnectAsync(IPAddress from)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, silo.GatewayPort));
        return socket;
    }

    /// <summary>Orleans retries a failed first connection 15 times over minutes; here the first refusal is the answer.</summary>
    private static Task<bool> NoRetry(Exception error, CancellationToken cancellationToken) => Task.FromResult(false);

    private static HostApplicationBuilder ClientBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        return builder;
    }

    /// <summary>The client never gets to make a call: connecting to the gateway fails (the silo ends the TLS handshake).</summary>
    private static async Task AssertRefusedAsync(IHost client)
    {
        var refused = await Record.ExceptionAsync(async () =>
        {
            await client.StartAsync().WaitAsync(ConnectTimeout);
            await client.Services.GetRequiredService<IServeClient>().GetStatusAsync().WaitAsync(ConnectTimeout);
        });

        Assert.IsType<ConnectionFailedException>(refused);
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.StopAsync(stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
