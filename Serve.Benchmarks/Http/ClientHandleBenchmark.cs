using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Http;

/// <summary>
/// Handle calls from an external Orleans client (a process of the cluster's that hosts no silo: here two clients in the
/// benchmark's process) to a no-op deployment whose one replica is on the worker: from a client that sends them over the
/// worker's data plane (<c>Serve:Cluster:ClientDataPlane</c>, the default), and from one that sends them as Orleans
/// messages through its gateway, alternating in one run. The benchmark's process and the worker's CPU are counted per call.
/// </summary>
internal static class ClientHandleBenchmark
{
    public const string Scenario = "handle-client";

    public static async Task RunAsync(IServeClient serve, RemoteReplicaSilo worker, int[] callerCounts, TimeSpan duration, int rounds)
    {
        await serve.RunAsync<INoOp>(
            Deployment.For<NoOp>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.Demand }).Bind(), Scenario, null);
        using var overDataPlane = await StartClientAsync(worker, dataPlane: true);
        using var overOrleans = await StartClientAsync(worker, dataPlane: false);
        var dataPlaneHandle = overDataPlane.Services.GetRequiredService<IServeClient>().GetDeploymentHandle<INoOp>(nameof(NoOp), Scenario);
        var orleansHandle = overOrleans.Services.GetRequiredService<IServeClient>().GetDeploymentHandle<INoOp>(nameof(NoOp), Scenario);
        Func<int, Func<Task>> dataPlaneCall = _ => dataPlaneHandle.Remote.PingAsync;
        Func<int, Func<Task>> orleansCall = _ => orleansHandle.Remote.PingAsync;
        // Long enough for the first client to connect to the worker's data plane: its first calls go through Orleans.
        await ClosedLoopLoad.WarmUpAsync(8, dataPlaneCall, TimeSpan.FromSeconds(3));
        await ClosedLoopLoad.WarmUpAsync(8, orleansCall, TimeSpan.FromSeconds(2));
        await HandlePathComparison.RunAsync(Scenario, (worker, dataPlaneCall), (worker, orleansCall), callerCounts, duration, rounds);
        await overDataPlane.StopAsync();
        await overOrleans.StopAsync();
        await serve.DeleteAsync(Scenario);
    }

    /// <summary>An Orleans client of the worker's cluster, as a service of the team's would be.</summary>
    private static async Task<IHost> StartClientAsync(RemoteReplicaSilo worker, bool dataPlane)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddCommandLine(worker.GatewayArgs());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serve:Cluster:ClientDataPlane"] = dataPlane ? "true" : "false" });
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
