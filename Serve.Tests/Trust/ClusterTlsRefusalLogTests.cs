using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Cluster;
using Serve.Tests.Cluster;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Trust;

/// <summary>
/// A loop of TLS connects with a certificate from another CA to a silo's Orleans ports (silo and client), on real
/// sockets: refused each time, at the cost of one warning, not one each. A silo of its own, so its first refusal is this test's.
/// </summary>
public sealed class ClusterTlsRefusalLogTests(TlsSiloFixture silo) : IClassFixture<TlsSiloFixture>
{
    [Fact]
    public async Task OrleansPorts_40ConnectsWithCertificateFromAnotherCa_OneWarningTheRestAtDebug()
    {
        using var otherCa = TestCertificateAuthority.Create("Not the cluster's CA");
        using var certificate = otherCa.Issue("intruder");
        var refusals = silo.Services.GetRequiredService<ClusterTlsRefusals>();

        for (var i = 0; i < 40; i++)
        {
            await ConnectAsync(i % 2 == 0 ? silo.SiloPort : silo.GatewayPort, certificate);
        }

        await WaitForAsync(() => refusals.Total == 40 && Refusals().Count == 40);
        var warning = Assert.Single(Refusals(), r => r.Level >= LogLevel.Information);
        Assert.Equal((LogLevel.Warning, ServeEvents.ClusterPeerRefused), (warning.Level, warning.Id.Id));
        Assert.Contains("the peer's certificate 'CN=intruder'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("does not chain to the cluster's CA", warning.Message, StringComparison.Ordinal);
        Assert.Equal(39, Refusals().Count(r => r.Level == LogLevel.Debug && r.Id.Id == ServeEvents.ClusterPeerRefusedAgain));
    }

    private List<(string Category, LogLevel Level, EventId Id, string Message)> Refusals() =>
        [.. silo.Log.Records.Where(r => r.Category == "Serve.Cluster.ClusterTls")];

    /// <summary>A TLS connect that trusts any silo and presents <paramref name="certificate"/>; refused by the silo at its handshake.</summary>
    private static async Task ConnectAsync(int port, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Patience);
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "serve-cluster",
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }).WaitAsync(Patience);
            // With TLS 1.3 the client learns of its refusal at its first read.
            await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(Patience);
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
        }
    }
}
