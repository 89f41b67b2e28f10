using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;

namespace Serve.Cluster;

/// <summary>
/// How long an external client (<c>client.UseServeCluster</c>) keeps trying to reach its cluster at start: every second
/// until <see cref="ServeClusterOptions.ClientConnectTimeout"/> has passed since the first failure, then the start fails
/// with an error naming where it looked and the fix. Orleans' default filter retried 15 times over about 3 minutes,
/// a warning with a stack trace at each attempt, and then failed with its own error, so a client pointed at a port
/// nothing listens on (an embedded silo opens none unless told) waited and never said what to change.
/// A filter the program registers itself (<c>UseConnectionRetryFilter</c>) is used instead.
/// </summary>
internal sealed partial class ClusterConnectRetry(IOptions<ServeClusterOptions> options, TimeProvider time, ILogger<ClusterConnectRetry> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private long? _firstFailure;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var cluster = options.Value;
        if (_firstFailure is not { } first)
        {
            _firstFailure = time.GetTimestamp();
            LogWaiting(logger, Where(cluster), exception.Message, cluster.ClientConnectTimeout.TotalSeconds);
        }
        else if (time.GetElapsedTime(first) >= cluster.ClientConnectTimeout)
        {
            throw new ServeException(Unreachable(cluster, exception), exception);
        }
        await Task.Delay(RetryDelay, time, cancellationToken);
        return true;
    }

    /// <summary>Whether a registration is Orleans' own default filter, which <c>UseServeCluster</c> replaces.</summary>
    internal static bool IsOrleansDefault(ServiceDescriptor descriptor) =>
        descriptor.ImplementationType is { Name: "LinearBackoffClientConnectionRetryFilter" } type
        && type.Assembly == typeof(IClientConnectionRetryFilter).Assembly;

    /// <summary>The error a client's start fails with once it gives up.</summary>
    internal static string Unreachable(ServeClusterOptions cluster, Exception last)
    {
        var waited = $"{cluster.ClientConnectTimeout.TotalSeconds:0.###} s ({ServeClusterOptions.SectionName}:ClientConnectTimeout)";
        return cluster.Mode == ClusterMode.Redis
            ? $"No silo of Serve cluster '{cluster.ClusterId}' could be reached through its Redis membership within {waited}: {last.Message} " +
              $"Fix: start a silo of that cluster with a client port ({ServeClusterOptions.SectionName}:GatewayPort, 30000 unless set), and give this client " +
              $"the silos' {ServeClusterOptions.SectionName}:ClusterId, RedisConnectionString and TLS settings."
            : $"No Serve silo answered at {Where(cluster)} within {waited}: {last.Message} " +
              $"Fix: an embedded silo takes clients only on the port it is given: start it with that port ({ServeClusterOptions.SectionName}:GatewayPort={cluster.GatewayPort}, " +
              $"environment Serve__Cluster__GatewayPort={cluster.GatewayPort}; serve run --client-port {cluster.GatewayPort}), or set this client's " +
              $"{ServeClusterOptions.SectionName}:GatewayPort to the port the silo opened.";
    }

    internal static string Where(ServeClusterOptions cluster) => cluster.Mode == ClusterMode.Redis
        ? "the gateways its Redis membership lists"
        : $"127.0.0.1:{cluster.GatewayPort} ({ServeClusterOptions.SectionName}:GatewayPort)";

    [LoggerMessage(EventId = ServeEvents.ClusterUnreachable, Level = LogLevel.Warning,
        Message = "Waiting for the Serve cluster at {Where}: {Reason} Retrying every second for up to {Seconds} s (Serve:Cluster:ClientConnectTimeout).")]
    private static partial void LogWaiting(ILogger logger, string where, string reason, double seconds);
}
