using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Serve.Cluster;
using Serve.Tests.Cluster;

namespace Serve.Tests.Trust;

public sealed class ClusterPeerTrustTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("Cluster CA");

    [Fact]
    public void Trusts_CertificateIssuedByTheCa_True()
    {
        using var peer = _ca.Issue("silo");

        Assert.True(Trust().Trusts(peer, null, out _));
    }

    [Fact]
    public void Trusts_CertificateFromAnotherCa_FalseNamingIssuer()
    {
        using var other = TestCertificateAuthority.Create("Other CA");
        using var peer = other.Issue("intruder");

        Assert.False(Trust().Trusts(peer, null, out var reason));
        Assert.Contains("CN=Other CA", reason);
    }

    [Fact]
    public void Trusts_SelfSignedCopyOfTheCaName_False()
    {
        // Same subject as the real CA, another key: a name proves nothing.
        using var impostor = TestCertificateAuthority.Create("Cluster CA");
        using var peer = impostor.Issue("silo");

        Assert.False(Trust().Trusts(peer, null, out _));
    }

    [Fact]
    public void Trusts_ExpiredCertificate_False()
    {
        using var peer = _ca.Issue("silo", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

        Assert.False(Trust().Trusts(peer, null, out _));
    }

    [Fact]
    public void Trusts_ValidCertificateSeenAfterItExpires_False()
    {
        using var peer = _ca.Issue("silo");
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(45));

        Assert.False(Trust(later).Trusts(peer, null, out _));
    }

    public void Dispose() => _ca.Dispose();

    private ClusterPeerTrust Trust(TimeProvider? time = null) =>
        new(new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData)), time ?? TimeProvider.System);
}
