using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Serve.Cluster;

/// <summary>
/// Puts mutual TLS on every Orleans connection of a silo (silo in and out, clients in) or of a client: each side
/// presents the cluster certificate and accepts the other only if its certificate chains to the cluster's CA. Refused
/// certificates are logged through one <see cref="ClusterTlsRefusals"/> per silo or client: a warning, then a summary a minute.
/// </summary>
internal static class ClusterTls
{
    public static void AddTo(ISiloBuilder builder)
    {
        AddRefusals(builder.Services);
        builder.Services.AddOptions<SiloConnectionOptions>().Configure<IOptions<ServeClusterOptions>, IServiceProvider>((connections, cluster, services) =>
        {
            var tls = CreateOptions(cluster.Value.Tls, ClusterRole.Silo, services);
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(tls));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(tls));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(tls));
        });
    }

    public static void AddTo(IClientBuilder builder)
    {
        AddRefusals(builder.Services);
        builder.Services.AddOptions<ClientConnectionOptions>().Configure<IOptions<ServeClusterOptions>, IServiceProvider>((connections, cluster, services) =>
        {
            var tls = CreateOptions(cluster.Value.Tls, ClusterRole.Client, services);
            connections.ConfigureConnection(connection => connection.UseClientTls(tls));
        });
    }

    private static void AddRefusals(IServiceCollection services) =>
        services.TryAddSingleton(provider => new ClusterTlsRefusals(
            provider.GetService<TimeProvider>() ?? TimeProvider.System, provider.GetRequiredService<ILoggerFactory>()));

    private static TlsOptions CreateOptions(ServeClusterTlsOptions settings, ClusterRole role, IServiceProvider services)
    {
        var errors = new List<string>();
        // Validation at start loaded the same files and reported any problem; this only repeats it if it was skipped.
        var credentials = ClusterCredentials.Load(settings, role, services.GetService<TimeProvider>() ?? TimeProvider.System, errors)
            ?? throw new OptionsValidationException(ServeClusterOptions.SectionName, typeof(ServeClusterOptions), errors);
        var refusals = services.GetRequiredService<ClusterTlsRefusals>();
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
                refusals.Refused(reason);
                return false;
            },
        };
    }
}
