using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Cluster;
using Serve.Exchange;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Exchange;

/// <summary>Mutual TLS on the data plane: only a peer with a certificate from the cluster's CA gets through.</summary>
public sealed class ExchangeTlsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ClusterTlsFiles _files = ClusterTlsFiles.Create();
    private readonly RecordingLogger<ExchangeTls> _log = new();
    private readonly ExchangeTls _tls;

    public ExchangeTlsTests()
    {
        var options = new ServeClusterOptions();
        new ConfigurationBuilder().AddInMemoryCollection(_files.Settings()).Build().GetSection(ServeClusterOptions.SectionName).Bind(options);
        _tls = new ExchangeTls(Options.Create(options), ClusterRole.Silo, TimeProvider.System, _log);
    }

    [Fact]
    public async Task Handshake_BothWithTheClusterCertificate_Connected()
    {
        var (accepting, transport) = await PairAsync();

        var connecting = _tls.ConnectAsync(transport, "127.0.0.1:1", CancellationToken.None);

        await using var server = await accepting.WaitAsync(Patience);
        await using var client = await connecting.WaitAsync(Patience);
        await client.WriteAsync(ExchangeFrames.Version2Preface.ToArray());
        var read = new byte[ExchangeFrames.Version2Preface.Length];
        await server.ReadExactlyAsync(read);
        Assert.Equal(ExchangeFrames.Version2Preface.ToArray(), read);
    }

    [Fact]
    public async Task Handshake_ExternalClientWithAClientOnlyCertificate_Connected()
    {
        // An external Orleans client's data plane (Serve:Cluster:ClientDataPlane) presents a certificate that may carry
        // client authentication alone.
        var settings = new Dictionary<string, string?>(_files.Settings()) { ["Serve:Cluster:Tls:CertificatePath"] = _files.ClientCertificatePath };
        var options = new ServeClusterOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(ServeClusterOptions.SectionName).Bind(options);
        var client = new ExchangeTls(Options.Create(options), ClusterRole.Client, TimeProvider.System, new RecordingLogger<ExchangeTls>());
        var (accepting, transport) = await PairAsync();

        var connecting = client.ConnectAsync(transport, "127.0.0.1:1", CancellationToken.None);

        await using var server = await accepting.WaitAsync(Patience);
        await using var connected = await connecting.WaitAsync(Patience);
        await connected.WriteAsync(ExchangeFrames.Version2Preface.ToArray());
        var read = new byte[ExchangeFrames.PrefaceSize];
        await server.ReadExactlyAsync(read);
        Assert.Equal(ExchangeFrames.Version2Preface.ToArray(), read);
        // As a silo's, the same certificate is refused when loaded: a silo also accepts connections.
        Assert.Throws<OptionsValidationException>(() => new ExchangeTls(Options.Create(options), ClusterRole.Silo, TimeProvider.System, new RecordingLogger<ExchangeTls>()));
    }

    [Fact]
    public async Task Handshake_ClientWithoutCertificate_Refused()
    {
        var (accepting, transport) = await PairAsync();

        var connecting = Plain(transport, certificate: null);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => accepting.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<Exception>(() => Talk(connecting));
        Assert.Contains("the peer's certificate is missing", refused.Message, StringComparison.Ordinal);
        // The listener logs its refusals (a few lines a minute at most); one line each here would let a stranger flood the log.
        Assert.Empty(_log.Records);
    }

    [Fact]
    public async Task Handshake_ClientCertificateFromAnotherCa_RefusedNamingIt()
    {
        using var stranger = TestCertificateAuthority.Create("Not the cluster's CA");
        using var certificate = stranger.Issue("intruder");
        var (accepting, transport) = await PairAsync();

        var connecting = Plain(transport, certificate);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => accepting.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<Exception>(() => Talk(connecting));
        Assert.Contains("'CN=intruder'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("does not chain to the cluster's CA", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_log.Records);
    }

    /// <summary>A client that trusts any server and presents <paramref name="certificate"/> (or none).</summary>
    private static async Task<SslStream> Plain(Stream transport, X509Certificate2? certificate)
    {
        var tls = new SslStream(transport);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "serve-cluster",
            ClientCertificates = certificate is null ? null : [certificate],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return tls;
    }

    /// <summary>With TLS 1.3 a refused client learns it on its first read, not in its handshake.</summary>
    private static async Task Talk(Task<SslStream> connecting)
    {
        await using var tls = await connecting.WaitAsync(Patience);
        await tls.WriteAsync(new byte[] { 1 });
        var read = await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(Patience);
        if (read == 0)
        {
            throw new IOException("closed by the server");
        }
    }

    /// <summary>A connected pair over loopback: the server's end being accepted with <see cref="ExchangeTls"/>, and the client's raw stream.</summary>
    private async Task<(Task<Stream> Accepting, Stream Client)> PairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var server = await listener.AcceptSocketAsync();
        return (_tls.AcceptAsync(new NetworkStream(server, ownsSocket: true), CancellationToken.None), new NetworkStream(client, ownsSocket: true));
    }

    public void Dispose() => _files.Dispose();
}
