using Microsoft.AspNetCore.Server.Kestrel.Core;
using Serve.Hosting;
using Serve.Tests.Cluster;

namespace Serve.Tests.Grpc;

public sealed class GatewayProtocolOptionsTests
{
    private static IReadOnlyList<string> Failures(ServeGatewayOptions options) =>
        new ServeGatewayOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];

    [Fact]
    public void Validate_Http2PortAndProtocols_Succeed()
    {
        Assert.Empty(Failures(new ServeGatewayOptions { Http2Port = 9000 }));
        Assert.Empty(Failures(new ServeGatewayOptions { Protocols = HttpProtocols.Http2 }));
        Assert.Empty(Failures(new ServeGatewayOptions { Port = 0, Http2Port = 0 }));
    }

    [Fact]
    public void Validate_BadProtocolSettings_EveryProblemAtOnce()
    {
        var failures = Failures(new ServeGatewayOptions
        {
            Port = 8000,
            Http2Port = 8000,
            Protocols = HttpProtocols.Http1AndHttp2AndHttp3,
            Tls = new() { KeyPath = "/nowhere/key.pem" },
        });

        Assert.Equal(
            [
                "Serve:Http:Protocols: 'Http1AndHttp2AndHttp3' must be Http1, Http2 or Http1AndHttp2 (the gateway does not serve HTTP/3).",
                "Serve:Http:Http2Port: 8000 is Serve:Http:Port too. Fix: give the HTTP/2 port a port of its own, or set Serve:Http:Protocols=Http2 to make the HTTP port speak HTTP/2.",
                "Serve:Http:Tls: KeyPath '/nowhere/key.pem' or CertificatePassword is set but CertificatePath is not. Fix: set Serve:Http:Tls:CertificatePath too, or remove the TLS settings.",
            ],
            failures);
    }

    [Fact]
    public void Validate_MissingCertificate_FailsNamingThePath()
    {
        var failure = Assert.Single(Failures(new ServeGatewayOptions { Tls = new() { CertificatePath = "/nowhere/gateway.pfx" } }));

        Assert.StartsWith("Serve:Http:Tls:CertificatePath: '/nowhere/gateway.pfx' does not exist.", failure);
    }

    [Fact]
    public void Validate_PemCertificateWithoutKey_FailsCannotBeLoaded()
    {
        using var ca = TestCertificateAuthority.Create("Keyless CA");
        var directory = Directory.CreateTempSubdirectory("serve-gateway-cert-").FullName;
        try
        {
            using var issued = ca.Issue("localhost");
            var path = Path.Combine(directory, "public.pem");
            File.WriteAllText(path, issued.ExportCertificatePem());

            var failures = Failures(new ServeGatewayOptions { Tls = new() { CertificatePath = path } });

            Assert.Single(failures);
            Assert.StartsWith($"Serve:Http:Tls:CertificatePath: '{path}' cannot be loaded", failures[0]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Validate_ExpiredCertificate_FailsSayingWhen()
    {
        using var ca = TestCertificateAuthority.Create("Expired CA");
        var directory = Directory.CreateTempSubdirectory("serve-gateway-cert-").FullName;
        try
        {
            using var issued = ca.Issue("localhost", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
            var path = TestCertificateAuthority.WritePkcs12(issued, Path.Combine(directory, "expired.pfx"));

            var failure = Assert.Single(Failures(new ServeGatewayOptions { Tls = new() { CertificatePath = path } }));

            Assert.Contains("not now", failure);
            Assert.Contains("Fix: issue a new certificate.", failure);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
