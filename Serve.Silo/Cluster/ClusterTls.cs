using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Serve.Cluster;

/// <summary>
/// Puts mutual TLS on every Orleans connection of a silo (silo in and out, clients in) or of a client: each side
/// presents the cluster certificate and accepts the other only if its certificate chains to the cluster's CA.
/// </summary>
internal static partial class ClusterTls
{
    public static void AddTo(ISiloBuilder builder) =>
        builder.Services.AddOptions<SiloConnectionOptions>().Configure<IOptions<ServeClusterOptions>, IServiceProvider>((connections, cluster, services) =>
        {
            var tls = CreateOptions(cluster.Value.Tls, ClusterRole.Silo, services);
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(tls));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(tls));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(tls));
        });

    public static void AddTo(IClientBuilder builder) =>
        builder.Services.AddOptions<ClientConnectionOptions>().Configure<IOptions<ServeClusterOptions>, IServiceProvider>((connections, cluster, services) =>
        {
            var tls = CreateOptions(cluster.Value.Tls, ClusterRole.Client, services);
            connections.ConfigureConnection(connection => connection.UseClientTls(tls));
        });

    private static TlsOptions CreateOptions(ServeClusterTlsOptions settings, ClusterRole role, IServiceProvider services)
    {
        var errors = new List<string>();
        // Validation at start loaded the same files and reported any problem; this only repeats it if it was skipped.
        var credentials = ClusterCredentials.Load(settings, role, services.GetService<TimeProvider>() ?? TimeProvider.System, errors)
            ?? throw new OptionsValidationException(ServeClusterOptions.SectionName, typeof(ServeClusterOptions), errors);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClusterTls));
        return new TlsOptions
        {
            LocalCertificate = credentials.Certificate,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            RemoteCertificateValidation = (certificate, chain, _) =>
            {
                if (credentials.Trust.Trusts(certificate, chain, out var reason))
                {
                    return true;
                }
                LogPeerRefused(logger, reason);
                return false;
            },
        };
    }

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefused, Level = LogLevel.Warning, Message = "Refused a cluster connection: the peer's certificate {Reason}")]
    private static partial void LogPeerRefused(ILogger logger, string reason);
}
