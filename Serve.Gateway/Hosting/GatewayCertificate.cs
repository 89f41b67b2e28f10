using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serve.Hosting;

/// <summary>
/// Loads the gateway's HTTPS certificate from <see cref="ServeGatewayTlsOptions"/>, reporting every problem at once, each
/// naming the option and its value, so the validator and Kestrel's set-up share it.
/// </summary>
internal static class GatewayCertificate
{
    private const string Section = ServeGatewayOptions.SectionName + ":Tls";

    /// <summary>The certificate, or null with the reasons added to <paramref name="errors"/> when it is unusable.</summary>
    public static X509Certificate2? Load(ServeGatewayTlsOptions options, TimeProvider time, List<string> errors)
    {
        var path = options.CertificatePath!;
        if (!File.Exists(path))
        {
            errors.Add($"{Section}:CertificatePath: '{path}' does not exist. Fix: give the path of a .pfx file, or of a PEM certificate (with {Section}:KeyPath for its key).");
            return null;
        }
        if (!string.IsNullOrWhiteSpace(options.KeyPath) && !File.Exists(options.KeyPath))
        {
            errors.Add($"{Section}:KeyPath: '{options.KeyPath}' does not exist. Fix: give the path of the certificate's PEM private key.");
            return null;
        }
        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(path) ? FromPem(path, options) : X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"{Section}:CertificatePath: '{path}' cannot be loaded: {e.Message} Fix: give a .pfx file (and its CertificatePassword), or a PEM certificate and its key.");
            return null;
        }
        var before = errors.Count;
        if (!certificate.HasPrivateKey)
        {
            errors.Add($"{Section}:CertificatePath: '{path}' has no private key. Fix: use a .pfx file with its key, or give the PEM key in {Section}:KeyPath.");
        }
        var now = time.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            errors.Add($"{Section}:CertificatePath: '{path}' is valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not now ({now:u}). Fix: issue a new certificate.");
        }
        if (errors.Count == before)
        {
            return certificate;
        }
        certificate.Dispose();
        return null;
    }

    private static X509Certificate2 FromPem(string path, ServeGatewayTlsOptions options)
    {
        var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? path : options.KeyPath;
        using var pem = string.IsNullOrEmpty(options.CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, keyPath);
        // A key loaded from PEM is ephemeral; a PKCS#12 round trip gives one every platform's TLS stack can use.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[256];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, read).Contains("-----BEGIN", StringComparison.Ordinal);
    }
}
