using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Http;

/// <summary>
/// Handle calls from the gateway's silo to a no-op deployment whose one replica is on another silo: on the worker with
/// the data plane, and on the worker without it (the call as an Orleans message), alternating in one run. The caller's
/// process and each worker's CPU are counted per call.
/// </summary>
internal static class RemoteHandleBenchmark
{
    public const string Scenario = "handle-remote";

    /// <summary>Concurrent callers: as the http rows' connection counts.</summary>
    public static async Task RunAsync(IServeClient serve, RemoteReplicaSilo dataPlane, RemoteReplicaSilo orleans, int[] callerCounts, TimeSpan duration, int rounds)
    {
        var overDataPlane = await serve.RunAsync<INoOp>(
            Deployment.For<NoOp>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.Demand }).Bind(), "handle-remote", null);
        var overOrleans = await serve.RunAsync<INoOp>(
            Deployment.For<NoOp>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.OrleansDemand }).Bind(), "handle-remote-orleans", null);
        Func<int, Func<Task>> dataPlaneCall = _ => overDataPlane.Remote.PingAsync;
        Func<int, Func<Task>> orleansCall = _ => overOrleans.Remote.PingAsync;
        await ClosedLoopLoad.WarmUpAsync(8, dataPlaneCall, TimeSpan.FromSeconds(2));
        await ClosedLoopLoad.WarmUpAsync(8, orleansCall, TimeSpan.FromSeconds(2));
        await HandlePathComparison.RunAsync(Scenario, (dataPlane, dataPlaneCall), (orleans, orleansCall), callerCounts, duration, rounds);
        await serve.DeleteAsync("handle-remote");
        await serve.DeleteAsync("handle-remote-orleans");
    }
}
