using System.Diagnostics.CodeAnalysis;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Cluster;

namespace Serve.Exchange;

/// <summary>
/// Mutual TLS on the data plane with the cluster's own credentials (<see cref="ServeClusterOptions.Tls"/>): each end
/// presents the cluster certificate and accepts the other only when its certificate chains to the cluster's CA
/// (<see cref="ClusterPeerTrust"/>), as the cluster's Orleans connections do.
/// </summary>
internal sealed partial class ExchangeTls : IExchangeSecurity
{
    private readonly ClusterCredentials _credentials;
    private readonly ILogger<ExchangeTls> _logger;

    /// <param name="cluster">The cluster's settings, whose <see cref="ServeClusterOptions.Tls"/> this uses.</param>
    /// <param name="role">A silo's credentials (which also accept connections) or an external client's.</param>
    /// <param name="time">The clock certificates are checked against.</param>
    /// <param name="logger">Where refused certificates are reported.</param>
    public ExchangeTls(IOptions<ServeClusterOptions> cluster, ClusterRole role, TimeProvider time, ILogger<ExchangeTls> logger)
    {
        _logger = logger;
        var errors = new List<string>();
        // Validation at start loaded the same files and reported any problem; this only repeats it if it was skipped.
        _credentials = ClusterCredentials.Load(cluster.Value.Tls, role, time, errors)
            ?? throw new OptionsValidationException(ServeClusterOptions.SectionName, typeof(ServeClusterOptions), errors);
    }

    /// <summary>Made from a container's services, for <paramref name="role"/>.</summary>
    public static ExchangeTls Create(IServiceProvider services, ClusterRole role) => new(
        services.GetRequiredService<IOptions<ServeClusterOptions>>(), role, services.GetService<TimeProvider>() ?? TimeProvider.System,
        services.GetRequiredService<ILogger<ExchangeTls>>());

    public async Task<Stream> ConnectAsync(Stream transport, string endpoint, CancellationToken cancellationToken)
    {
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                // Peers are known by their certificate's chain to the cluster CA, not by name (as on the Orleans ports).
                TargetHost = "serve-cluster",
                ClientCertificates = [_credentials.Certificate],
                EnabledSslProtocols = SslProtocols.None,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = Validate,
            }, cancellationToken);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The server's end. A refused peer's certificate is named in the exception rather than logged here: the listener
    /// logs its refusals without one line each, so a stranger's connects cannot flood the log.
    /// </summary>
    public async Task<Stream> AcceptAsync(Stream transport, CancellationToken cancellationToken)
    {
        string? refused = null;
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _credentials.Certificate,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.None,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) => Trusts(certificate, chain, out refused),
            }, cancellationToken);
            return tls;
        }
        catch (Exception e) when (refused is not null)
        {
            await tls.DisposeAsync();
            throw new AuthenticationException($"the peer's certificate {refused}", e);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Trusts(certificate, chain, out var reason))
        {
            return true;
        }
        LogPeerRefused(_logger, reason);
        return false;
    }

    private bool Trusts(X509Certificate? certificate, X509Chain? chain, [NotNullWhen(false)] out string? reason)
    {
        if (certificate is null)
        {
            reason = "is missing: the peer sent no certificate";
            return false;
        }
        using var copy = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (_credentials.Trust.Trusts(copy ?? (X509Certificate2)certificate, chain, out var untrusted))
        {
            reason = null;
            return true;
        }
        reason = untrusted;
        return false;
    }

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefused, Level = LogLevel.Warning, Message = "Data plane: refused a connection: the peer's certificate {Reason}")]
    private static partial void LogPeerRefused(ILogger logger, string reason);
}
