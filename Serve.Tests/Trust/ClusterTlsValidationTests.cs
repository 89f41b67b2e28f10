using Microsoft.Extensions.Time.Testing;
using Serve.Cluster;
using Serve.Tests.Cluster;

namespace Serve.Tests.Trust;

/// <summary><c>Serve:Cluster:Tls</c> and <c>AllowInsecure</c> as checked at start: every problem named with its option and value.</summary>
public sealed class ClusterTlsValidationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("serve-tls-validation-").FullName;
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("Validation CA");

    [Fact]
    public void Validate_RedisModeWithoutTlsOrAllowInsecure_FailsNamingBothSettings()
    {
        var options = new ServeClusterOptions { Mode = ClusterMode.Redis, RedisConnectionString = "127.0.0.1:6379" };

        var failure = Assert.Single(new ServeClusterOptionsValidator().Validate(null, options).Failures!);

        Assert.Contains("Serve:Cluster:Tls is not set", failure);
        Assert.Contains("Serve:Cluster:AllowInsecure=true", failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Validate_RedisModeWithAllowInsecure_Succeeds(bool silo)
    {
        var options = new ServeClusterOptions { Mode = ClusterMode.Redis, RedisConnectionString = "127.0.0.1:6379", AllowInsecure = true };

        Assert.True(new ServeClusterOptionsValidator(silo ? ClusterRole.Silo : ClusterRole.Client).Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_EmbeddedClientWithoutGatewayPort_FailsNamingIt()
    {
        var failure = Assert.Single(new ServeClusterOptionsValidator(ClusterRole.Client).Validate(null, new ServeClusterOptions()).Failures!);

        Assert.Contains("Serve:Cluster:GatewayPort", failure);
    }

    [Fact]
    public void Validate_RedisModeWithPkcs12AndCa_Succeeds()
    {
        var options = Redis(new ServeClusterTlsOptions { CertificatePath = Pkcs12(_ca.Issue("node")), CaPath = CaPem() });

        Assert.True(new ServeClusterOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_PemCertificateAndKey_Succeeds()
    {
        using var certificate = _ca.Issue("node");
        var (certificatePath, keyPath) = TestCertificateAuthority.WritePem(certificate, Path.Combine(_directory, "node.crt"), Path.Combine(_directory, "node.key"));
        var options = Redis(new ServeClusterTlsOptions { CertificatePath = certificatePath, KeyPath = keyPath, CaPath = CaPem() });

        Assert.True(new ServeClusterOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_CertificateFromAnotherCa_FailsNamingCaPath()
    {
        using var other = TestCertificateAuthority.Create("Other CA");
        var options = Redis(new ServeClusterTlsOptions { CertificatePath = Pkcs12(other.Issue("node")), CaPath = CaPem() });

        var failure = Assert.Single(new ServeClusterOptionsValidator().Validate(null, options).Failures!);

        Assert.Contains("does not chain to the cluster's CA", failure);
        Assert.Contains("Serve:Cluster:Tls:CaPath", failure);
    }

    [Fact]
    public void Validate_MissingFilesAndNoCa_ReportsEveryOneNamingOptionAndValue()
    {
        var missing = Path.Combine(_directory, "missing.pfx");
        var options = Redis(new ServeClusterTlsOptions { CertificatePath = missing });

        var failures = new ServeClusterOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.Contains($"Serve:Cluster:Tls:CertificatePath: '{missing}' does not exist"));
        Assert.Contains(failures, f => f.Contains("Serve:Cluster:Tls:CaPath is required"));
    }

    [Fact]
    public void Validate_ExpiredCertificate_FailsSayingWhen()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(60));
        var options = Redis(new ServeClusterTlsOptions { CertificatePath = Pkcs12(_ca.Issue("node")), CaPath = CaPem() });

        var failures = new ServeClusterOptionsValidator(ClusterRole.Silo, time).Validate(null, options).Failures!;

        Assert.Contains(failures, f => f.Contains("is valid from") && f.Contains("not now"));
    }

    [Fact]
    public void Validate_WrongPkcs12Password_FailsNamingTheFile()
    {
        using var certificate = _ca.Issue("node");
        var path = TestCertificateAuthority.WritePkcs12(certificate, Path.Combine(_directory, "locked.pfx"), "right");
        var options = Redis(new ServeClusterTlsOptions { CertificatePath = path, CertificatePassword = "wrong", CaPath = CaPem() });

        var failure = Assert.Single(new ServeClusterOptionsValidator().Validate(null, options).Failures!);

        Assert.Contains($"Serve:Cluster:Tls:CertificatePath: '{path}' cannot be loaded", failure);
    }

    [Fact]
    public void Validate_CaWithoutCertificate_FailsNamingTls()
    {
        var options = new ServeClusterOptions { Tls = new ServeClusterTlsOptions { CaPath = CaPem() } };

        var failure = Assert.Single(new ServeClusterOptionsValidator().Validate(null, options).Failures!);

        Assert.Contains("Serve:Cluster:Tls", failure);
        Assert.Contains("no certificate is", failure);
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static ServeClusterOptions Redis(ServeClusterTlsOptions tls) =>
        new() { Mode = ClusterMode.Redis, RedisConnectionString = "127.0.0.1:6379", Tls = tls };

    private string Pkcs12(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        using (certificate)
        {
            return TestCertificateAuthority.WritePkcs12(certificate, Path.Combine(_directory, $"{Guid.NewGuid():N}.pfx"));
        }
    }

    private string CaPem() => _ca.WriteCertificatePem(Path.Combine(_directory, "ca.pem"));
}
