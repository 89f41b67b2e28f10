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

    /// <summary>The resource of the second worker, whose data plane is off: its replicas are called through Orleans.</summary>
    public const string OrleansResource = "bench-remote-orleans";

    /// <summary>
    /// Offered once by the worker and once by the gateway's silo (<see cref="GatewayArgs"/>): a deployment of two replicas
    /// asking for it (<see cref="SpreadDemand"/>) has one on each.
    /// </summary>
    public const string SpreadResource = "bench-spread";

    private readonly RedisServer? _redis;
    private readonly WorkerProcess _worker;
    private readonly string _clusterId;
    private Process? _process;

    private RemoteReplicaSilo(RedisServer? redis, WorkerProcess worker, string clusterId)
    {
        _redis = redis;
        _worker = worker;
        _clusterId = clusterId;
    }

    /// <summary>What a deployment asks for to be placed on the worker: the worker's resource, and no CPU (it offers none).</summary>
    public static ReplicaResources Demand { get; } = new() { NumCpus = 0, Custom = new Dictionary<string, double> { [Resource] = 1 } };

    /// <summary>What a deployment asks for to be placed on the second worker, the one without a data plane (<see cref="JoinWithoutDataPlaneAsync"/>).</summary>
    public static ReplicaResources OrleansDemand { get; } = new() { NumCpus = 0, Custom = new Dictionary<string, double> { [OrleansResource] = 1 } };

    /// <summary>What each replica of a deployment spread over the gateway's silo and the worker asks for.</summary>
    public static ReplicaResources SpreadDemand { get; } = new() { NumCpus = 0, Custom = new Dictionary<string, double> { [SpreadResource] = 1 } };

    /// <summary>CPU time the worker process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            var process = Worker;
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// What the worker process's TCP connections have carried so far (<c>ss -tinp</c>: bytes and data segments received and
    /// sent). Once started, that is almost all its silo connections with the gateway, so per request it is the hop's bytes on
    /// the wire each way (plus the cluster's own traffic, a few KB/s), and segments show how many messages share a send.
    /// Connections that closed since are not counted: the silo connections stay open. Zeros where ss is not installed.
    /// </summary>
    public async Task<WireCounters> WireAsync()
    {
        var pid = $"pid={Worker.Id},";
        var start = new ProcessStartInfo("ss", "-tinpH") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var ss = Process.Start(start);
        if (ss is null)
        {
            return default;
        }
        var lines = (await ss.StandardOutput.ReadToEndAsync()).Split('\n');
        await ss.WaitForExitAsync();
        var total = default(WireCounters);
        // Each connection is two lines: its addresses and process, then its counters.
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].Contains(pid, StringComparison.Ordinal))
            {
                var counters = lines[++i];
                total = new(
                    total.Received + Counter(counters, "bytes_received:"),
                    total.Sent + Counter(counters, "bytes_sent:"),
                    total.SegmentsIn + Counter(counters, "data_segs_in:"),
                    total.SegmentsOut + Counter(counters, "data_segs_out:"));
            }
        }
        return total;

        static long Counter(string line, string name)
        {
            var at = line.IndexOf(name, StringComparison.Ordinal);
            if (at < 0)
            {
                return 0;
            }
            var digits = line.AsSpan(at + name.Length);
            var end = digits.IndexOf(' ');
            return long.Parse(end < 0 ? digits : digits[..end], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The worker silo's process id.</summary>
    public int ProcessId => Worker.Id;

    private Process Worker => _process ??= Process.GetProcessById(_worker.ProcessId ?? throw new InvalidOperationException("The worker silo is not running."));

    public static async Task<RemoteReplicaSilo> StartAsync(TimeSpan timeout)
    {
        var redis = await RedisServer.StartAsync(timeout);
        var clusterId = $"serve-bench-http-{Guid.NewGuid():N}";
        return await StartWorkerAsync(redis, owned: true, clusterId, Resource, dataPlane: true, timeout);
    }

    /// <summary>
    /// A second worker in the same cluster whose data plane is off (<c>Serve:Silo:ExchangeEnabled=false</c>): the
    /// gateway calls its replicas as Orleans messages, the path the data plane replaces, for a row in the same run.
    /// </summary>
    public Task<RemoteReplicaSilo> JoinWithoutDataPlaneAsync(TimeSpan timeout) =>
        StartWorkerAsync(_redis!, owned: false, _clusterId, OrleansResource, dataPlane: false, timeout);

    private static async Task<RemoteReplicaSilo> StartWorkerAsync(RedisServer redis, bool owned, string clusterId, string resource, bool dataPlane, TimeSpan timeout)
    {
        var ports = FreePorts.Take(2);
        var environment = SiloProcess.ClusterEnvironment(redis.ConnectionString, clusterId, ports[0], ports[1], "Default", typeof(NoOpIngress).Assembly.Location);
        environment["Logging__LogLevel__Orleans"] = "Error";
        environment["Serve__Cluster__AllowInsecure"] = "true";
        environment["Serve__Silo__Resources__NumCpus"] = "0";
        environment[$"Serve__Silo__Resources__Custom__{resource}"] = "1000";
        if (dataPlane)
        {
            environment[$"Serve__Silo__Resources__Custom__{SpreadResource}"] = "1";
        }
        environment["Serve__Silo__ExchangeEnabled"] = dataPlane ? "true" : "false";
        // The tests' workers run workstation GC (many processes on one machine); this one runs as a deployed silo does:
        // server GC, as Serve.Silo's project sets it, like the gateway it is compared with.
        environment.Remove("DOTNET_gcServer");
        var worker = new WorkerProcess(dataPlane ? "remote-worker" : "remote-worker-orleans", ports[0], ports[1], environment);
        var silo = new RemoteReplicaSilo(owned ? redis : null, worker, clusterId);
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
        $"--Serve:Cluster:RedisConnectionString={_redis!.ConnectionString}",
        $"--Serve:Cluster:ClusterId={_clusterId}",
        $"--Serve:Cluster:ServiceId={_clusterId}",
        "--Serve:Cluster:AdvertisedAddress=127.0.0.1",
        "--Serve:Cluster:AllowInsecure=true",
        $"--Serve:Silo:Resources:Custom:{SpreadResource}=1",
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
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }
        }
    }
}
