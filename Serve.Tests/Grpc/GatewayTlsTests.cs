using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Cluster;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>A gateway with a certificate (Serve:Http:Tls): one HTTPS port where clients pick HTTP/2 or HTTP/1.1 by ALPN.</summary>
public sealed class GatewayTlsTests : IAsyncLifetime
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("Gateway TLS CA");
    private readonly string _directory = Directory.CreateTempSubdirectory("serve-gateway-tls-").FullName;
    private X509Certificate2 _certificate = null!;
    private WebApplication _gateway = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _certificate = _ca.Issue("localhost");
        var (certificatePath, keyPath) = TestCertificateAuthority.WritePem(_certificate, Path.Combine(_directory, "gateway.pem"), Path.Combine(_directory, "gateway.key"));
        var port = FreePorts.Take(1)[0];
        _gateway = await TestGateway.StartAsync("gateway-tls-tests", o =>
        {
            o.Port = port;
            o.Tls = new() { CertificatePath = certificatePath, KeyPath = keyPath };
        });
        _address = new Uri($"https://127.0.0.1:{port}");
        // /-/healthz answers 503 until the gateway's first route table arrives: wait for it, as the other gateway fixtures do.
        using var http = TrustingClient();
        http.BaseAddress = _address;
        await http.WaitUntilHealthyAsync();
    }

    private HttpClient TrustingClient() => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString() },
    });

    [Fact]
    public async Task Get_Http2OverTls_NegotiatedByAlpn()
    {
        using var http = TrustingClient();

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_address, "/-/healthz"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        Assert.Equal((HttpStatusCode.OK, new Version(2, 0)), (response.StatusCode, response.Version));
    }

    [Fact]
    public async Task Get_Http11OverTls_ServedOnTheSamePort()
    {
        using var http = TrustingClient();

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_address, "/-/healthz"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        Assert.Equal((HttpStatusCode.OK, new Version(1, 1)), (response.StatusCode, response.Version));
    }

    [Fact]
    public async Task Echo_GrpcOverTls_Answered()
    {
        var serve = _gateway.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<GrpcProbeIngress>().Bind("tls"), "probe-tls", "/probe-tls");
        using var channel = GrpcChannel.ForAddress(_address, new GrpcChannelOptions { HttpClient = TrustingClient(), DisposeHttpClient = true });
        var probe = new GrpcProbe.GrpcProbeClient(channel);

        // RunAsync returns once the application runs; the gateway learns its route a moment later.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        ProbeReply? reply = null;
        while (reply is null)
        {
            try
            {
                reply = await probe.EchoAsync(new ProbeRequest { Text = "secure" }, cancellationToken: deadline.Token);
            }
            catch (global::Grpc.Core.RpcException e) when (e.StatusCode == global::Grpc.Core.StatusCode.Unimplemented)
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        Assert.Equal(("secure", "tls"), (reply.Text, reply.Label));
    }

    [Fact]
    public async Task Connect_WebSocketOverHttp2WithTls_Echoes()
    {
        var serve = _gateway.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<WebSocketEndpoints>().Bind(), "ws-tls", "/ws-tls");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using (var http = TrustingClient())
        {
            http.BaseAddress = _address;
            await http.WaitForRoutesAsync(routes => routes.GetValueOrDefault("/ws-tls") == "ws-tls");
        }
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString() },
        });
        using var socket = WebSocketHttp2Tests.Http2Socket();

        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{_address.Port}/ws-tls/echo"), invoker, deadline.Token);
        await socket.SendAsync("secure"u8.ToArray(), WebSocketMessageType.Text, true, deadline.Token);
        var echoed = await WebSocketHttp2Tests.ReceiveTextAsync(socket);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", deadline.Token);

        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);
        Assert.Equal((WebSocketMessageType.Text, "secure"), echoed);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        await serve.DeleteAsync("ws-tls");
    }

    public async Task DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        _certificate.Dispose();
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
