namespace Serve.Tests.Cluster;

/// <summary>
/// A cluster's TLS material made at test time, in a temporary folder: its CA's certificate and one certificate it
/// issued, shared by every silo and client of the cluster (peers are trusted by CA, not by name).
/// </summary>
public sealed class ClusterTlsFiles : IDisposable
{
    private ClusterTlsFiles(string directory, string caPath, string certificatePath, string clientCertificatePath)
    {
        Directory = directory;
        CaPath = caPath;
        CertificatePath = certificatePath;
        ClientCertificatePath = clientCertificatePath;
    }

    public string Directory { get; }

    public string CaPath { get; }

    /// <summary>The cluster certificate with its key, PKCS#12 without a password.</summary>
    public string CertificatePath { get; }

    /// <summary>A certificate from the same CA for client authentication only (what an external client may be given), PKCS#12.</summary>
    public string ClientCertificatePath { get; }

    public static ClusterTlsFiles Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("serve-tls-").FullName;
        using var authority = TestCertificateAuthority.Create("Serve test cluster CA");
        using var certificate = authority.Issue("serve-node");
        using var client = authority.Issue("serve-client", serverAuthentication: false);
        return new ClusterTlsFiles(
            directory,
            authority.WriteCertificatePem(Path.Combine(directory, "ca.pem")),
            TestCertificateAuthority.WritePkcs12(certificate, Path.Combine(directory, "node.pfx")),
            TestCertificateAuthority.WritePkcs12(client, Path.Combine(directory, "client.pfx")));
    }

    /// <summary>The settings that turn TLS on, as environment variables of a silo process.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["Serve__Cluster__Tls__CertificatePath"] = CertificatePath,
        ["Serve__Cluster__Tls__CaPath"] = CaPath,
    };

    /// <summary>The settings that turn TLS on, as configuration keys.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Serve:Cluster:Tls:CertificatePath"] = CertificatePath,
        ["Serve:Cluster:Tls:CaPath"] = CaPath,
    };

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process still holding a file: the folder is in the temporary directory anyway.
        }
    }
}
