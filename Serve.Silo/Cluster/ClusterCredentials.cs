using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serve.Cluster;

/// <summary>
/// This process's certificate and the cluster's CA, loaded from <see cref="ServeClusterTlsOptions"/>. Loading reports
/// every problem at once, each naming the option and its value, so the validator and the connection set-up share it.
/// </summary>
internal sealed class ClusterCredentials
{
    private const string Section = ServeClusterOptions.SectionName + ":Tls";
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private ClusterCredentials(X509Certificate2 certificate, ClusterPeerTrust trust)
    {
        Certificate = certificate;
        Trust = trust;
    }

    public X509Certificate2 Certificate { get; }

    public ClusterPeerTrust Trust { get; }

    /// <summary>Loads and checks the credentials; null, with the reasons added to <paramref name="errors"/>, when they are unusable.</summary>
    public static ClusterCredentials? Load(ServeClusterTlsOptions options, ClusterRole role, TimeProvider time, List<string> errors)
    {
        var before = errors.Count;
        if (!string.IsNullOrWhiteSpace(options.CertificatePath) && !string.IsNullOrWhiteSpace(options.Thumbprint))
        {
            errors.Add($"{Section}: both CertificatePath '{options.CertificatePath}' and Thumbprint '{options.Thumbprint}' are set. Fix: give the certificate one way, a file or the certificate store.");
            return null;
        }
        var certificate = string.IsNullOrWhiteSpace(options.Thumbprint) ? FromFile(options, errors) : FromStore(options, errors);
        var authorities = Authorities(options.CaPath, errors);
        if (certificate is null || authorities is null)
        {
            return null;
        }

        var origin = string.IsNullOrWhiteSpace(options.Thumbprint) ? $"CertificatePath '{options.CertificatePath}'" : $"Thumbprint '{options.Thumbprint}'";
        if (!certificate.HasPrivateKey)
        {
            errors.Add($"{Section}:{origin} has no private key. Fix: use a PKCS#12 file with its key, or give the PEM key in {Section}:KeyPath.");
        }
        var now = time.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            errors.Add($"{Section}:{origin}: the certificate is valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not now ({now:u}). Fix: issue a new certificate.");
        }
        if (MissingUsage(certificate, role) is { } usage)
        {
            errors.Add($"{Section}:{origin}: the certificate's extended key usage lacks {usage}, which a {(role == ClusterRole.Silo ? "silo" : "client")} needs. Fix: issue it with extendedKeyUsage = serverAuth, clientAuth.");
        }
        var trust = new ClusterPeerTrust(authorities, time);
        if (!trust.Trusts(certificate, null, out var reason))
        {
            errors.Add($"{Section}:{origin}: the certificate {reason}. Fix: issue it from the CA in {Section}:CaPath '{options.CaPath}', or point CaPath at the CA that issued it.");
        }
        return errors.Count == before ? new ClusterCredentials(certificate, trust) : null;
    }

    private static X509Certificate2? FromFile(ServeClusterTlsOptions options, List<string> errors)
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
        try
        {
            if (!IsPem(path))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
            }
            var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? path : options.KeyPath;
            using var pem = string.IsNullOrEmpty(options.CertificatePassword)
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, keyPath);
            // A key loaded from PEM is ephemeral; a PKCS#12 round trip gives one every platform's TLS stack can use.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            var keyNote = IsPem(path) ? $" with key '{(string.IsNullOrWhiteSpace(options.KeyPath) ? path : options.KeyPath)}'" : "";
            errors.Add($"{Section}:CertificatePath: '{path}'{keyNote} cannot be loaded: {e.Message} Fix: give a .pfx file (and its CertificatePassword), or a PEM certificate and its unencrypted key (or CertificatePassword).");
            return null;
        }
    }

    private static X509Certificate2? FromStore(ServeClusterTlsOptions options, List<string> errors)
    {
        try
        {
            using var store = new X509Store(options.StoreName, options.StoreLocation);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            var thumbprint = options.Thumbprint!.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
            if (found.Count == 0)
            {
                errors.Add($"{Section}:Thumbprint: no certificate '{options.Thumbprint}' in the store {options.StoreLocation}/{options.StoreName}. Fix: import it there, or set StoreName and StoreLocation to where it is.");
                return null;
            }
            return found[0];
        }
        catch (CryptographicException e)
        {
            errors.Add($"{Section}:Thumbprint: the store {options.StoreLocation}/{options.StoreName} cannot be opened: {e.Message}");
            return null;
        }
    }

    private static X509Certificate2Collection? Authorities(string? path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{Section}:CaPath is required when TLS is on: peers are trusted only if they chain to the cluster's CA. Fix: give the path of the CA's certificate (PEM).");
            return null;
        }
        if (!File.Exists(path))
        {
            errors.Add($"{Section}:CaPath: '{path}' does not exist. Fix: give the path of the cluster CA's certificate (PEM).");
            return null;
        }
        try
        {
            var authorities = new X509Certificate2Collection();
            if (IsPem(path))
            {
                authorities.ImportFromPemFile(path);
            }
            else
            {
                authorities.Add(X509CertificateLoader.LoadCertificateFromFile(path));
            }
            if (authorities.Count == 0)
            {
                errors.Add($"{Section}:CaPath: '{path}' holds no certificate. Fix: give the CA's certificate (PEM, -----BEGIN CERTIFICATE-----).");
                return null;
            }
            return authorities;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"{Section}:CaPath: '{path}' cannot be read as certificates: {e.Message}");
            return null;
        }
    }

    private static string? MissingUsage(X509Certificate2 certificate, ClusterRole role)
    {
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is not { } usage)
        {
            return null;
        }
        var oids = usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToHashSet();
        var missing = new List<string>();
        if (!oids.Contains(ClientAuthentication))
        {
            missing.Add("clientAuth");
        }
        if (role == ClusterRole.Silo && !oids.Contains(ServerAuthentication))
        {
            missing.Add("serverAuth");
        }
        return missing.Count == 0 ? null : string.Join(" and ", missing);
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[256];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, read).Contains("-----BEGIN", StringComparison.Ordinal);
    }
}
