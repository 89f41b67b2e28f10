using Microsoft.AspNetCore.Connections;
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
/// handshakes are logged through one <see cref="ClusterTlsRefusals"/> per silo or client: a warning, then a summary a
/// minute (Orleans' own warning for each failed inbound handshake is filtered out, so a loop of bad connects cannot fill the disk).
/// </summary>
internal static class ClusterTls
{
    /// <summary>Orleans' TLS on the ports a silo listens on: it warns of every failed handshake, one line each.</summary>
    private const string OrleansServerTlsCategory = "Orleans.Connections.Security.TlsServerConnectionMiddleware";

    public static void AddTo(ISiloBuilder builder)
    {
        AddRefusals(builder.Services);
        builder.Services.TryAddSingleton<ClusterHandshakes>();
        // ClusterTlsRefusals reports each of those, bounded; Orleans' errors still pass.
        builder.Services.AddLogging(logging => logging.AddFilter(OrleansServerTlsCategory, LogLevel.Error));
        builder.Services.AddOptions<SiloConnectionOptions>().Configure<IOptions<ServeClusterOptions>, IServiceProvider>((connections, cluster, services) =>
        {
            var tls = CreateOptions(cluster.Value.Tls, ClusterRole.Silo, services);
            var refusals = services.GetRequiredService<ClusterTlsRefusals>();
            var handshakes = services.GetRequiredService<ClusterHandshakes>();
            connections.ConfigureSiloInboundConnection(connection => UseServerTls(connection, tls, refusals, handshakes));
            connections.ConfigureGatewayInboundConnection(connection => UseServerTls(connection, tls, refusals, handshakes));
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

    /// <summary>
    /// Orleans' TLS on an inbound connection, between <paramref name="refusals"/>' watch of its handshake and the end of
    /// it, once <paramref name="handshakes"/> has room for it.
    /// </summary>
    private static void UseServerTls(IConnectionBuilder connection, TlsOptions tls, ClusterTlsRefusals refusals, ClusterHandshakes handshakes)
    {
        connection.Use(next => context => handshakes.AdmitAsync(context, next, refusals));
        connection.Use(next => context => refusals.WatchAsync(context, next));
        connection.UseServerTls(tls);
        connection.Use(next => context =>
        {
            ClusterHandshakes.Ended(context);
            return ClusterTlsRefusals.OpenedAsync(context, next);
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
