using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Serve.Tests.Infrastructure;

/// <summary>A stranger's TLS client: it trusts any server and presents a certificate of its own, which a silo refuses.</summary>
public static class StrangerTls
{
    /// <summary>
    /// Runs the handshake on <paramref name="socket"/> with <paramref name="certificate"/> and reads once (with TLS 1.3 the
    /// client learns of its refusal at its first read); the refusal, as the stranger sees it, is swallowed.
    /// </summary>
    public static async Task TryAsync(Socket socket, X509Certificate2 certificate, TimeSpan patience)
    {
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "serve-cluster",
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }).WaitAsync(patience);
            await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(patience);
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
        }
    }
}
