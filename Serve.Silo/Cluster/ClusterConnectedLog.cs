using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;

namespace Serve.Cluster;

/// <summary>
/// The one line an external client (<c>client.UseServeCluster</c>) writes at Information when it has connected: which
/// cluster, and where it looked. Orleans' own start (its options, a hundred lines, and its connection steps) is filtered
/// to warnings for such a client by <see cref="QuietOrleansLog"/>.
/// </summary>
internal sealed partial class ClusterConnectedLog(IOptions<ServeClusterOptions> options, IOptions<ClusterOptions> cluster, ILogger<ClusterConnectedLog> logger)
    : ILifecycleParticipant<IClusterClientLifecycle>
{
    public void Participate(IClusterClientLifecycle lifecycle) =>
        // Once every part of the client started: the gateways were reached before the lifecycle runs.
        lifecycle.Subscribe(nameof(ClusterConnectedLog), ServiceLifecycleStage.Active, _ =>
        {
            LogConnected(logger, cluster.Value.ClusterId, ClusterConnectRetry.Where(options.Value));
            return Task.CompletedTask;
        });

    [LoggerMessage(EventId = ServeEvents.ClusterConnected, Level = LogLevel.Information, Message = "Connected to Serve cluster '{ClusterId}' at {Where}")]
    private static partial void LogConnected(ILogger logger, string clusterId, string where);
}
