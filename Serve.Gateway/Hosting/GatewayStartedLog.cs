using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Admin;
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
    ILogger<GatewayStartedLog> logger,
    AdminListener? admin = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Started fires after every hosted service, the silo and Kestrel included, has started.
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var options = cluster.Value;
            var (http, adminApi) = Addresses(addresses, admin?.Address);
            LogStarted(logger, silo.SiloAddress.ToString(), options.ClusterId, options.Mode, options.Liveness, http, adminApi);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The server's addresses told apart: the HTTP gateway's, and the admin API's (on the same server, at its own port),
    /// which the line listed as HTTP too.
    /// </summary>
    internal static (string Http, string Admin) Addresses(IEnumerable<string> addresses, Uri? admin)
    {
        var http = addresses.Where(a => admin is null || !Uri.TryCreate(a, UriKind.Absolute, out var uri) || uri.Port != admin.Port).ToList();
        return (http.Count == 0 ? "none" : string.Join(", ", http), admin?.ToString() ?? "none");
    }

    [LoggerMessage(EventId = ServeEvents.GatewayListening, Level = LogLevel.Information, Message = "Gateway silo {Silo} is active in cluster {ClusterId} ({Mode} mode, {Liveness} liveness); HTTP on {Addresses}; admin API on {Admin}")]
    private static partial void LogStarted(ILogger logger, string silo, string clusterId, ClusterMode mode, LivenessProfile liveness, string addresses, string admin);
}
