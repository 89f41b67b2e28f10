namespace Serve.Hosting;

/// <summary>
/// The gateway's HTTPS certificate, bound from <c>Serve:Http:Tls</c>: set <see cref="CertificatePath"/> and the gateway's
/// ports speak TLS, offering HTTP/2 and HTTP/1.1 by ALPN. Loaded and checked at start.
/// </summary>
public sealed class ServeGatewayTlsOptions
{
    /// <summary>
    /// The server certificate: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) with its private key, or a PEM certificate (with its
    /// key in the same file or in <see cref="KeyPath"/>). Default is none.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>, when it is a file of its own. Default is none.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 file or of an encrypted PEM key. Default is none.</summary>
    public string? CertificatePassword { get; set; }

    internal bool IsEnabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
