using System.Diagnostics;
using Serve.Benchmarks.Targets;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Http;

/// <summary>
/// The other silo of the http benchmark's remote row: a throwaway redis-server and a worker silo process
/// (<c>dotnet Serve.Silo.dll</c>) whose cluster the benchmark's gateway joins with <see cref="GatewayArgs"/>. The worker
/// offers no CPUs and one custom resource, <see cref="Resource"/>: only a deployment asking for it (<see cref="Demand"/>)
/// is placed there, and every other stays in the gateway's process.
/// </summary>
internal sealed class RemoteReplicaSilo : IAsyncDisposable
{
    public const string Resource = "bench-remote";

    private readonly RedisServer _redis;
    private readonly WorkerProcess _worker;
    private readonly string _clusterId;
    private Process? _process;

    private RemoteReplicaSilo(RedisServer redis, WorkerProcess worker, string clusterId)
    {
        _redis = redis;
        _worker = worker;
        _clusterId = clusterId;
    }

    /// <summary>What a deployment asks for to be placed on the worker: the worker's resource, and no CPU (it offers none).</summary>
    public static ReplicaResources Demand { get; } = new() { NumCpus = 0, Custom = new Dictionary<string, double> { [Resource] = 1 } };

    /// <summary>CPU time the worker process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process ??= Process.GetProcessById(_worker.ProcessId ?? throw new InvalidOperationException("The worker silo is not running."));
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<RemoteReplicaSilo> StartAsync(TimeSpan timeout)
    {
        var redis = await RedisServer.StartAsync(timeout);
        var clusterId = $"serve-bench-http-{Guid.NewGuid():N}";
        var ports = FreePorts.Take(2);
        var environment = SiloProcess.ClusterEnvironment(redis.ConnectionString, clusterId, ports[0], ports[1], "Default", typeof(NoOpIngress).Assembly.Location);
        environment["Logging__LogLevel__Orleans"] = "Error";
        environment["Serve__Cluster__AllowInsecure"] = "true";
        environment["Serve__Silo__Resources__NumCpus"] = "0";
        environment[$"Serve__Silo__Resources__Custom__{Resource}"] = "1000";
        var worker = new WorkerProcess("remote-worker", ports[0], ports[1], environment);
        var silo = new RemoteReplicaSilo(redis, worker, clusterId);
        try
        {
            await worker.StartAsync(timeout);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    /// <summary>The settings that make a gateway silo (its ports aside) a member of the worker's cluster.</summary>
    public string[] GatewayArgs() =>
    [
        "--Serve:Cluster:Mode=Redis",
        $"--Serve:Cluster:RedisConnectionString={_redis.ConnectionString}",
        $"--Serve:Cluster:ClusterId={_clusterId}",
        $"--Serve:Cluster:ServiceId={_clusterId}",
        "--Serve:Cluster:AdvertisedAddress=127.0.0.1",
        "--Serve:Cluster:AllowInsecure=true",
    ];

    public async ValueTask DisposeAsync()
    {
        _process?.Dispose();
        try
        {
            await _worker.DisposeAsync();
        }
        finally
        {
            await _redis.DisposeAsync();
        }
    }
}
