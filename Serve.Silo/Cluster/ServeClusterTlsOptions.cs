using System.Security.Cryptography.X509Certificates;

namespace Serve.Cluster;

/// <summary>
/// Mutual TLS between the silos of a cluster and between its clients and silos, bound from <c>Serve:Cluster:Tls</c>.
/// Every silo and client presents a certificate issued by the cluster's own CA (<see cref="CaPath"/>) and accepts
/// a peer only if the peer's certificate chains to that CA: the CA is the cluster's identity, so give each cluster a
/// CA of its own. Host names are not checked. On when <see cref="CertificatePath"/> or <see cref="Thumbprint"/> is set.
/// </summary>
public sealed class ServeClusterTlsOptions
{
    /// <summary>
    /// This process's certificate: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) with its private key, or a PEM certificate
    /// (with its key in the same file or in <see cref="KeyPath"/>). Default is none.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>, when it is a file of its own. Default is none.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 file or of an encrypted PEM key. Default is none.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// The thumbprint (SHA-1, hex) of this process's certificate in the certificate store <see cref="StoreName"/>
    /// of <see cref="StoreLocation"/>, instead of a file. Default is none.
    /// </summary>
    public string? Thumbprint { get; set; }

    /// <summary>The store searched for <see cref="Thumbprint"/>. Default is <see cref="StoreName.My"/>.</summary>
    public StoreName StoreName { get; set; } = StoreName.My;

    /// <summary>The store location searched for <see cref="Thumbprint"/>. Default is <see cref="StoreLocation.CurrentUser"/>.</summary>
    public StoreLocation StoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>
    /// The CA certificate(s) a peer's certificate must chain to, as PEM (several may follow each other) or DER.
    /// Required when TLS is on. Default is none.
    /// </summary>
    public string? CaPath { get; set; }

    internal bool IsEnabled => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(Thumbprint);
}
