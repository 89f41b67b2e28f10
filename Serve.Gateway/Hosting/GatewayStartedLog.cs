using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Cluster;

namespace Serve.Hosting;

/// <summary>
/// Says once the gateway is up, as the worker host does: its silo is active in the cluster and Kestrel listens.
/// Operators (and the multi-process tests) read this line to know the gateway is ready and where it is.
/// </summary>
internal sealed partial class GatewayStartedLog(
    IHostApplicationLifetime lifetime,
    IServer server,
    ILocalSiloDetails silo,
    IOptions<ServeClusterOptions> cluster,
    ILogger<GatewayStartedLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Started fires after every hosted service, the silo and Kestrel included, has started.
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var options = cluster.Value;
            LogStarted(logger, silo.SiloAddress.ToString(), options.ClusterId, options.Mode, options.Liveness, string.Join(", ", addresses));
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = ServeEvents.GatewayListening, Level = LogLevel.Information, Message = "Gateway silo {Silo} is active in cluster {ClusterId} ({Mode} mode, {Liveness} liveness); HTTP on {Addresses}")]
    private static partial void LogStarted(ILogger logger, string silo, string clusterId, ClusterMode mode, LivenessProfile liveness, string addresses);
}
