using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serve.Cluster;

/// <summary>Says at every start that a Redis-mode cluster runs without TLS because <see cref="ServeClusterOptions.AllowInsecure"/> allows it.</summary>
internal sealed partial class InsecureClusterWarning(IOptions<ServeClusterOptions> options, ILogger<InsecureClusterWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var cluster = options.Value;
        if (cluster.Mode == ClusterMode.Redis && cluster.Tls?.IsEnabled != true && cluster.AllowInsecure)
        {
            LogInsecure(logger, cluster.ClusterId);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = ServeEvents.ClusterInsecure, Level = LogLevel.Warning,
        Message = "Cluster {ClusterId} runs WITHOUT TLS (Serve:Cluster:AllowInsecure=true): its silo, client and data-plane (Serve:Silo:ExchangePort) connections are neither authenticated nor encrypted, so anyone who reaches its ports can join it, run code on it or call its replicas. Set Serve:Cluster:Tls to secure it.")]
    private static partial void LogInsecure(ILogger logger, string clusterId);
}
