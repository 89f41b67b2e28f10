using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;
using Serve.Samples.Composition;

namespace Serve.Benchmarks.Http;

/// <summary>
/// HTTP throughput and latency with one load tool (wrk) for five servers in one run: raw Kestrel in
/// the gateway process, the gateway in front of a no-op ingress replica (an <see cref="IHttpIngress"/>,
/// and the same answer from an <see cref="IHttpEndpoints"/> through the replica's full ASP.NET Core
/// pipeline), the no-op ingress on a worker silo in another process, the seed's composition (ingress → two
/// deployments) over HTTP, and uvicorn + Starlette as the peer. Every scenario runs at each connection count once per
/// round, rounds alternate, and medians are reported, with the CPU time the serving processes spent per request.
/// </summary>
internal static class HttpBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- http [--duration <s>] [--rounds <n>] [--connections 64,8] [--scenarios kestrel-raw,gateway-noop,...] [--telemetry] [--pin]
          gateway-remote runs the no-op ingress on a worker silo process (dotnet Serve.Silo.dll, a throwaway redis-server):
            the gateway then runs in Redis mode, and the row is compared with gateway-noop, its replica in the gateway's process;
            a gateway-bound line beside it: the gateway's own CPU per remote request against gateway-noop's CPU per request
          gateway-spread: the no-op ingress with two replicas, one in the gateway's silo and one on the worker; prints the share of
            requests the gateway sent to the worker (with Serve:Routing:PreferLocalReplicas, the default, idle local replicas go first)
          --by-load: the gateway's routers pick replicas by load alone (Serve:Routing:PreferLocalReplicas=false), for gateway-spread's A/B
          handle-client (only when named in --scenarios): handle calls from two external Orleans clients to a no-op replica on the worker,
            one over the data plane (Serve:Cluster:ClientDataPlane) and one through its Orleans gateway; callers as the connection counts
          handle-remote (only when named in --scenarios): handle calls from the gateway's silo to a no-op replica on the worker, over
            the data plane and, on a second worker without it, as Orleans messages; callers as the connection counts
          --pin: two machines emulated on two cores: the benchmark runs again under taskset -c 0, so the gateway, wrk and redis-server
            share core 0 in every row, and gateway-remote's worker silo has core 1 alone; remote/local then compares what the
            gateway's core serves with the replica local and on another machine (each process's runtime sees one core)
          --telemetry: instead, gateways with metrics on (the default), with tracing at 100 %, and with everything off
          SERVE_BENCH_ALLOCATIONS=1 in the environment: after each run, the types allocated most, in bytes per request
          needs wrk, python3-uvicorn and python3-starlette (apt-get install wrk python3-uvicorn python3-starlette), and redis-server for gateway-remote
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--duration", "--rounds", "--scenarios", "--connections"], ["--telemetry", "--pin", "--by-load"]);
        var duration = read.Seconds("--duration", TimeSpan.FromSeconds(10));
        var rounds = read.Int("--rounds", 2);
        var connections = read.Ints("--connections", [64, 8]);
        var only = read.SomeOf("--scenarios", Scenarios);
        var telemetry = read.Has("--telemetry");
        var byLoad = read.Has("--by-load");
        var pin = read.Has("--pin");

        if (telemetry)
        {
            return await TelemetryComparison.RunAsync(duration, rounds, connections);
        }
        if (pin && !CorePinning.IsPinned)
        {
            return await CorePinning.RunPinnedAsync();
        }
        var pinned = CorePinning.IsPinned;
        var port = FreePort();
        // The remote row needs a second silo, in a process of its own: the gateway then joins its Redis cluster.
        var remoteHandles = only is not null && only.Contains(RemoteHandleBenchmark.Scenario);
        var clientHandles = only is not null && only.Contains(ClientHandleBenchmark.Scenario);
        await using var remote = Selected(only, RemoteScenario) || Selected(only, OrleansRemoteScenario) || Selected(only, SpreadScenario) || Selected(only, RemoteUploadScenario) || remoteHandles || clientHandles ? await RemoteReplicaSilo.StartAsync(TimeSpan.FromSeconds(60)) : null;
        // The same worker with its data plane off: the old path, in the same run. Disposed before the first (it owns redis).
        await using var orleansRemote = remote is not null && (Selected(only, OrleansRemoteScenario) || remoteHandles) ? await remote.JoinWithoutDataPlaneAsync(TimeSpan.FromSeconds(60)) : null;
        if (pinned && remote is not null)
        {
            // Started from core 0, its runtime sized itself for one core; now the other machine's.
            await CorePinning.MoveAsync(remote.ProcessId, CorePinning.WorkerCore);
            if (orleansRemote is not null)
            {
                await CorePinning.MoveAsync(orleansRemote.ProcessId, CorePinning.WorkerCore);
            }
        }
        var builder = ServeHost.CreateBuilder(GatewayPorts.Args(remote?.GatewayArgs() ?? []));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<Serve.Hosting.ServeGatewayOptions>(o => o.Port = port);
        if (byLoad)
        {
            builder.Services.Configure<ServeRoutingOptions>(o => o.PreferLocalReplicas = false);
        }
        // The composition scenario runs the samples' classes; the entry assembly (this one) is registered already.
        builder.Services.Configure<Serve.Hosting.ServeOptions>(o => o.DeploymentAssemblies.Add(typeof(Serve.Samples.SampleCatalog).Assembly));
        var gateway = builder.Build();
        gateway.MapGet("/-/bench/hello", () => Results.Text("Hello world!"));
        gateway.MapPost("/-/bench/upload", async (HttpRequest request, CancellationToken cancellationToken) =>
            Results.Text((await DrainIngress.DrainAsync(request.Body, cancellationToken)).ToString(CultureInfo.InvariantCulture)));
        gateway.MapServe();
        await gateway.StartAsync();
        await using var uvicorn = Selected(only, "uvicorn-starlette") ? await UvicornPeer.StartAsync(FreePort()) : null;
        try
        {
            var serve = gateway.Services.GetRequiredService<IServeClient>();
            // Enough slots that 64 connections never wait for one: the benchmark measures the path, not the limit.
            await serve.RunAsync(Deployment.For<NoOpIngress>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(), "noop", "/noop");
            if (remote is not null)
            {
                // The same no-op ingress, its one replica on the other silo.
                await serve.RunAsync(Deployment.For<NoOpIngress>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.Demand }).Bind(),
                    "noop-remote", "/noop-remote");
                // The upload ingress, its one replica on the worker: the body pulled across silos as it arrives.
                await serve.RunAsync(Deployment.For<DrainIngress>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.Demand }).Bind(),
                    "upload-remote", "/upload-remote");
                // The same, one replica in the gateway's silo and one on the worker.
                await serve.RunAsync(Deployment.For<NoOpIngress>().Options(o => o with { NumReplicas = 2, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.SpreadDemand }).Bind(),
                    "noop-spread", "/noop-spread");
            }
            if (orleansRemote is not null)
            {
                await serve.RunAsync(Deployment.For<NoOpIngress>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.OrleansDemand }).Bind(),
                    "noop-remote-orleans", "/noop-remote-orleans");
            }
            await serve.RunAsync(Deployment.For<DrainIngress>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(), "upload", "/upload");
            await serve.RunAsync(Deployment.For<NoOpEndpoints>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(), "endpoints", "/endpoints");
            await serve.RunAsync(
                Deployment.For<Ingress>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(
                    Deployment.For<Hello>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(),
                    Deployment.For<World>().Options(o => o with { MaxOngoingRequests = 128 }).Bind()),
                "composition", "/composition");
            // The same two, their classes declared [ThreadSafe]: calls from the gateway's silo run on the caller's thread.
            await serve.RunAsync(Deployment.For<ThreadSafeNoOpIngress>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(), "noop-threadsafe", "/noop-threadsafe");
            await serve.RunAsync(
                Deployment.For<ThreadSafeComposition>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(
                    Deployment.For<ThreadSafeHello>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(),
                    Deployment.For<ThreadSafeWorld>().Options(o => o with { MaxOngoingRequests = 128 }).Bind()),
                "composition-threadsafe", "/composition-threadsafe");

            var gatewayUrl = $"http://127.0.0.1:{port}";
            (string Name, string Url)[] all =
            [
                ("kestrel-raw", $"{gatewayUrl}/-/bench/hello"),
                ("gateway-noop", $"{gatewayUrl}/noop"),
                // The same ingress on a worker silo in another process: the hop between silos (ratio against gateway-noop).
                (RemoteScenario, $"{gatewayUrl}/noop-remote"),
                // The same on a worker whose data plane is off: the exchange as an Orleans message, the path the data plane replaces.
                (OrleansRemoteScenario, $"{gatewayUrl}/noop-remote-orleans"),
                // Two replicas, one here and one on the worker: how much of the traffic crosses (ratio against gateway-noop).
                (SpreadScenario, $"{gatewayUrl}/noop-spread"),
                // The same ingress with a 1 KiB body each request: the gateway's body reading and budget on the way.
                ("gateway-noop-post", $"{gatewayUrl}/noop"),
                ("gateway-endpoints", $"{gatewayUrl}/endpoints"),
                ("gateway-composition", $"{gatewayUrl}/composition"),
                ("gateway-noop-threadsafe", $"{gatewayUrl}/noop-threadsafe"),
                ("gateway-composition-threadsafe", $"{gatewayUrl}/composition-threadsafe"),
                ("uvicorn-starlette", uvicorn?.Url ?? ""),
                // 1 MiB bodies: read whole by a Kestrel endpoint in the gateway process, and streamed through the gateway
                // to an ingress that reads them; compared with each other (MB/s), not with the hello.
                ("kestrel-upload", $"{gatewayUrl}/-/bench/upload"),
                ("gateway-upload", $"{gatewayUrl}/upload"),
                (RemoteUploadScenario, $"{gatewayUrl}/upload-remote"),
                // 1 KiB chunked bodies (no Content-Length), read by the same Kestrel endpoint and through the gateway by the
                // same ingress; and the same body with a Content-Length through the gateway, which travels inline as the
                // chunked one now does.
                ("kestrel-chunked", $"{gatewayUrl}/-/bench/upload"),
                ("gateway-chunked", $"{gatewayUrl}/upload"),
                ("gateway-sized-post", $"{gatewayUrl}/upload"),
            ];
            // The ratios need raw Kestrel, so it always runs.
            var scenarios = all.Where(s => s.Name == "kestrel-raw" || Selected(only, s.Name)).ToArray();
            Console.WriteLine($"HTTP benchmark: wrk -t2, {string.Join(" and ", connections)} connections, {duration.TotalSeconds:0} s per run, {rounds} round(s), {Environment.ProcessorCount} cores"
                + (pinned ? $" (pinned: the gateway, wrk and redis-server on core {CorePinning.GatewayCore}, the remote worker silo on core {CorePinning.WorkerCore})" : "")
                + (byLoad ? "; routers pick by load alone (--by-load)" : ""));
            foreach (var (name, url) in scenarios)
            {
                await Wrk.RunAsync(name, url, 8, TimeSpan.FromSeconds(2), 0, ScriptOf(name));
            }
            var results = new List<WrkResult>();
            // The gateway's data-plane client: what it sent to the worker, for the spread row's share.
            var exchange = gateway.Services.GetService<Serve.Exchange.ExchangeClient>();
            using var sampler = AllocationSampler.StartIfAsked();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in connections)
                {
                    foreach (var (name, url) in scenarios)
                    {
                        // The remote row's CPU is both processes', as the local row's is its one process's.
                        var worker = name switch
                        {
                            RemoteScenario or SpreadScenario or RemoteUploadScenario => remote,
                            OrleansRemoteScenario => orleansRemote,
                            _ => null,
                        };
                        Func<TimeSpan> cpu = name switch
                        {
                            "uvicorn-starlette" => () => uvicorn!.ProcessorTime,
                            _ when worker is not null => () => Process.GetCurrentProcess().TotalProcessorTime + worker.ProcessorTime,
                            _ => () => Process.GetCurrentProcess().TotalProcessorTime,
                        };
                        var before = cpu();
                        var allocated = GC.GetTotalAllocatedBytes();
                        sampler?.Begin();
                        var sentBefore = exchange?.Calls ?? 0;
                        var workerBefore = worker is not null ? (Cpu: worker.ProcessorTime, Wire: await worker.WireAsync(), Switches: ContextSwitches.Of(worker.ProcessId)) : default;
                        var switchesBefore = name == "uvicorn-starlette" ? 0 : ContextSwitches.Of(Environment.ProcessId);
                        var result = await Wrk.RunAsync(name, url, count, duration, round, ScriptOf(name));
                        var requests = result.RequestsPerSecond * duration.TotalSeconds;
                        result = result with
                        {
                            CpuMicrosPerRequest = (cpu() - before).TotalMicroseconds / requests,
                            BytesPerRequest = name == "uvicorn-starlette" ? double.NaN : (GC.GetTotalAllocatedBytes() - allocated) / requests,
                            SwitchesPerRequest = name == "uvicorn-starlette" ? double.NaN : (ContextSwitches.Of(Environment.ProcessId) - switchesBefore) / requests,
                            Remote = worker is not null ? await RemoteCostAsync(worker, workerBefore, requests) : null,
                            RemoteShare = name == SpreadScenario && exchange is not null ? (exchange.Calls - sentBefore) / requests : double.NaN,
                        };
                        results.Add(result);
                        Console.WriteLine($"  round {round} {name,-20} c={count,-3} {result.RequestsPerSecond,10:N0} req/s  p50 {result.P50Ms,7:N2} ms  p99 {result.P99Ms,7:N2} ms  cpu {result.CpuMicrosPerRequest,6:N1} µs/req  {result.BytesPerRequest,6:N0} B/req  switches {result.SwitchesPerRequest,4:N2}{(result.Remote is { } hop ? $" + worker {hop.WorkerSwitches:N2}" : "")}/req  errors {result.Errors}");
                        if (sampler is not null)
                        {
                            Console.WriteLine(sampler.End(requests));
                        }
                    }
                }
            }
            PrintSummary(results, connections, pinned);
            if (clientHandles)
            {
                Console.WriteLine();
                Console.WriteLine("Handle calls from an external Orleans client to a replica on the worker: over its data plane, and through the client's Orleans gateway");
                await ClientHandleBenchmark.RunAsync(serve, remote!, connections, duration, rounds);
            }
            if (remoteHandles)
            {
                Console.WriteLine();
                Console.WriteLine("Handle calls from the gateway's silo to a replica on another silo: over the data plane, and as Orleans messages");
                await RemoteHandleBenchmark.RunAsync(serve, remote!, orleansRemote!, connections, duration, rounds);
            }
            return 0;
        }
        finally
        {
            await gateway.StopAsync();
        }
    }

    private static async Task<RemoteHopCost> RemoteCostAsync(RemoteReplicaSilo remote, (TimeSpan Cpu, WireCounters Wire, long Switches) before, double requests)
    {
        var cpu = remote.ProcessorTime - before.Cpu;
        var wire = await remote.WireAsync() - before.Wire;
        var switches = ContextSwitches.Of(remote.ProcessId) - before.Switches;
        return new(cpu.TotalMicroseconds / requests, wire.Received / requests, wire.Sent / requests, wire.SegmentsIn / requests, wire.SegmentsOut / requests, switches / requests);
    }

    /// <summary>The gateway in front of the no-op ingress on another silo, a process of its own.</summary>
    private const string RemoteScenario = "gateway-remote";

    /// <summary>The gateway in front of the no-op ingress with one replica in its silo and one on the worker.</summary>
    private const string SpreadScenario = "gateway-spread";

    /// <summary>The upload ingress on the worker: 1 MiB bodies streamed to a replica on another silo.</summary>
    private const string RemoteUploadScenario = "gateway-upload-remote";

    /// <summary>The same, its worker's data plane off: the exchange travels as an Orleans message.</summary>
    private const string OrleansRemoteScenario = "gateway-remote-orleans";

    /// <summary>Every scenario --scenarios may name: the rows below, and the handle calls run beside them.</summary>
    private static readonly string[] Scenarios =
    [
        "kestrel-raw", "gateway-noop", RemoteScenario, OrleansRemoteScenario, SpreadScenario, "gateway-noop-post", "gateway-endpoints",
        "gateway-composition", "gateway-noop-threadsafe", "gateway-composition-threadsafe", "uvicorn-starlette", "kestrel-upload",
        "gateway-upload", RemoteUploadScenario, "kestrel-chunked", "gateway-chunked", "gateway-sized-post",
        RemoteHandleBenchmark.Scenario, ClientHandleBenchmark.Scenario,
    ];

    private static bool Selected(string[]? only, string scenario) => only is null || only.Contains(scenario);

    /// <summary>The body of each chunked scenario's requests, and of the sized post compared with them.</summary>
    private const int SmallPostBytes = 1024;

    /// <summary>The body of each upload scenario's requests.</summary>
    private const int UploadBytes = 1024 * 1024;

    private static string? ScriptOf(string scenario) => scenario switch
    {
        "gateway-noop-post" => Wrk.PostScript(1024),
        "kestrel-upload" or "gateway-upload" or RemoteUploadScenario => Wrk.PostScript(UploadBytes),
        "kestrel-chunked" or "gateway-chunked" => Wrk.ChunkedPostScript(SmallPostBytes),
        "gateway-sized-post" => Wrk.PostScript(SmallPostBytes),
        _ => null,
    };

    private static void PrintSummary(List<WrkResult> results, int[] connections, bool pinned)
    {
        Console.WriteLine();
        Console.WriteLine("Medians (ratio: req/s over raw Kestrel at the same connection count)");
        foreach (var count in connections)
        {
            var raw = Median(results.Where(r => r.Connections == count && r.Scenario == "kestrel-raw").Select(r => r.RequestsPerSecond));
            foreach (var scenario in results.Select(r => r.Scenario).Distinct())
            {
                var runs = results.Where(r => r.Connections == count && r.Scenario == scenario).ToList();
                var rate = Median(runs.Select(r => r.RequestsPerSecond));
                var cpu = Median(runs.Select(r => r.CpuMicrosPerRequest));
                var bytes = Median(runs.Select(r => r.BytesPerRequest));
                Console.WriteLine($"  {scenario,-20} c={count,-3} {rate,10:N0} req/s  p50 {Median(runs.Select(r => r.P50Ms)),7:N2} ms  p99 {Median(runs.Select(r => r.P99Ms)),7:N2} ms  cpu {cpu,6:N1} µs/req  {bytes,6:N0} B/req  ratio {rate / raw,5:P0}  errors {runs.Sum(r => r.Errors)}");
                Console.WriteLine(FormattableString.Invariant($"RESULT http scenario={scenario} connections={count} rps={rate:F0} p50_ms={Median(runs.Select(r => r.P50Ms)):F2} p99_ms={Median(runs.Select(r => r.P99Ms)):F2} cpu_us_per_req={cpu:F1} bytes_per_req={bytes:F0} ratio_to_raw={rate / raw:F3}"));
            }
            var local = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-noop").Select(r => r.RequestsPerSecond));
            foreach (var remoteScenario in new[] { RemoteScenario, OrleansRemoteScenario })
            {
                var remote = Median(results.Where(r => r.Connections == count && r.Scenario == remoteScenario).Select(r => r.RequestsPerSecond));
                if (!double.IsNaN(local) && !double.IsNaN(remote))
                {
                    // The remote row's CPU is the gateway's and the worker's; its bytes are the gateway process's alone.
                    // Pinned, the rows' RESULT names carry the mode, so a reader of both runs' lines cannot mix them up.
                    var mode = (remoteScenario == OrleansRemoteScenario ? "-orleans" : "") + (pinned ? "-pinned" : "");
                    Console.WriteLine(FormattableString.Invariant(
                        $"  {remoteScenario,-22} c={count,-3} {remote,10:N0} req/s against {local:N0} with the replica in the gateway's process: ratio {remote / local,5:P0}")
                        + (pinned ? " (pinned: two machines, the gateway's core serving both rows)" : ""));
                    // Each round's remote row against the local row run just before it: on a machine whose load comes and goes, the
                    // two runs next to each other share their conditions more than two medians do.
                    var byRound = Median(results.Where(r => r.Connections == count && r.Scenario == remoteScenario)
                        .Select(r => r.RequestsPerSecond / results.Single(l => l.Connections == count && l.Round == r.Round && l.Scenario == "gateway-noop").RequestsPerSecond));
                    Console.WriteLine(FormattableString.Invariant($"  remote by round      c={count,-3} median of each round's remote over local: {byRound,5:P0}"));
                    Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=remote-vs-local{mode} connections={count} remote_rps={remote:F0} local_rps={local:F0} ratio={remote / local:F3} round_ratio={byRound:F3}"));
                    // Where the remote row's CPU goes, and what crosses between the silos per request.
                    var hops = results.Where(r => r.Connections == count && r.Scenario == remoteScenario && r.Remote is not null).ToList();
                    var both = Median(hops.Select(r => r.CpuMicrosPerRequest));
                    var worker = Median(hops.Select(r => r.Remote!.WorkerCpuMicros));
                    var localCpu = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-noop").Select(r => r.CpuMicrosPerRequest));
                    // The gateway's own CPU per remote request, each run's, against the local row's: what bounds a gateway whose
                    // replicas run on other machines, where the worker's CPU is not the gateway's to pay. On one machine the
                    // gateway's share also holds its idle thread-pool spinning while it waits on the worker (see docs/performance.md).
                    var gatewayCpu = Median(hops.Select(r => r.CpuMicrosPerRequest - r.Remote!.WorkerCpuMicros));
                    var received = Median(hops.Select(r => r.Remote!.ReceivedBytes));
                    var sent = Median(hops.Select(r => r.Remote!.SentBytes));
                    var segmentsIn = Median(hops.Select(r => r.Remote!.SegmentsIn));
                    var segmentsOut = Median(hops.Select(r => r.Remote!.SegmentsOut));
                    var gatewaySwitches = Median(hops.Select(r => r.SwitchesPerRequest));
                    var workerSwitches = Median(hops.Select(r => r.Remote!.WorkerSwitches));
                    var localSwitches = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-noop").Select(r => r.SwitchesPerRequest));
                    Console.WriteLine(FormattableString.Invariant(
                        $"  remote hop           c={count,-3} cpu gateway {both - worker,6:N1} + worker {worker,6:N1} µs/req (local {localCpu:N1}: cpu ratio {localCpu / both,5:P0})  wire {received:N0} B/req to the worker, {sent:N0} back; TCP segments/req {segmentsIn:N2} in, {segmentsOut:N2} out; context switches/req gateway {gatewaySwitches:N2} + worker {workerSwitches:N2} (local {localSwitches:N2})"));
                    Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=remote-hop{mode} connections={count} gateway_cpu_us={both - worker:F1} worker_cpu_us={worker:F1} local_cpu_us={localCpu:F1} cpu_ratio={localCpu / both:F3} wire_to_worker_bytes={received:F0} wire_from_worker_bytes={sent:F0} segments_in={segmentsIn:F2} segments_out={segmentsOut:F2} gateway_switches={gatewaySwitches:F2} worker_switches={workerSwitches:F2} local_switches={localSwitches:F2}"));
                    Console.WriteLine(FormattableString.Invariant(
                        $"  gateway-bound        c={count,-3} gateway cpu {gatewayCpu,6:N1} µs per remote request against {localCpu:N1} per local one: ratio {localCpu / gatewayCpu,5:P0} (beside the req/s ratio {remote / local:P0}; not a throughput measured here)"));
                    Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=gateway-bound{mode} connections={count} gateway_cpu_us={gatewayCpu:F1} local_cpu_us={localCpu:F1} ratio={localCpu / gatewayCpu:F3} rps_ratio={remote / local:F3}"));
                    if (pinned)
                    {
                        // How busy each core's serving process was: a worker core near 100 % means the other machine, not the
                        // gateway's, bounded the remote row. The gateway's core also runs wrk, whose share is not counted here.
                        // Each run's CPU per request times its own rate: a product of medians from different runs could pass 100 %.
                        var gatewayBusy = Median(hops.Select(r => (r.CpuMicrosPerRequest - r.Remote!.WorkerCpuMicros) * r.RequestsPerSecond / 1e6));
                        var workerBusy = Median(hops.Select(r => r.Remote!.WorkerCpuMicros * r.RequestsPerSecond / 1e6));
                        var localBusy = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-noop").Select(r => r.CpuMicrosPerRequest * r.RequestsPerSecond / 1e6));
                        Console.WriteLine(FormattableString.Invariant(
                            $"  cores                c={count,-3} remote row: gateway {gatewayBusy,5:P0} of core {CorePinning.GatewayCore}, worker {workerBusy,5:P0} of core {CorePinning.WorkerCore}; local row: gateway {localBusy,5:P0} of core {CorePinning.GatewayCore} (wrk and idle time the rest of it)"));
                        Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=cores-pinned connections={count} remote_gateway_busy={gatewayBusy:F3} remote_worker_busy={workerBusy:F3} local_gateway_busy={localBusy:F3}"));
                    }
                }
            }
            var spread = results.Where(r => r.Connections == count && r.Scenario == SpreadScenario).ToList();
            if (spread.Count > 0 && !double.IsNaN(local))
            {
                var rate = Median(spread.Select(r => r.RequestsPerSecond));
                var share = Median(spread.Select(r => r.RemoteShare));
                Console.WriteLine(FormattableString.Invariant(
                    $"  {SpreadScenario,-22} c={count,-3} {rate,10:N0} req/s against {local:N0} with its replica in the gateway's process: ratio {rate / local,5:P0}; sent to the worker {share,5:P1} of requests, p50 {Median(spread.Select(r => r.P50Ms)):N2} ms"));
                Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=spread-vs-local{(pinned ? "-pinned" : "")} connections={count} spread_rps={rate:F0} local_rps={local:F0} ratio={rate / local:F3} remote_share={share:F3}"));
            }
            var direct = Median(results.Where(r => r.Connections == count && r.Scenario == RemoteScenario).Select(r => r.RequestsPerSecond));
            var viaOrleans = Median(results.Where(r => r.Connections == count && r.Scenario == OrleansRemoteScenario).Select(r => r.RequestsPerSecond));
            if (!double.IsNaN(direct) && !double.IsNaN(viaOrleans))
            {
                Console.WriteLine(FormattableString.Invariant($"  data plane vs Orleans c={count,-3} {direct,10:N0} req/s against {viaOrleans:N0} through Orleans: ratio {direct / viaOrleans,5:P0}"));
                Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=dataplane-vs-orleans{(pinned ? "-pinned" : "")} connections={count} dataplane_rps={direct:F0} orleans_rps={viaOrleans:F0} ratio={direct / viaOrleans:F3}"));
            }
            var rawChunked = Median(results.Where(r => r.Connections == count && r.Scenario == "kestrel-chunked").Select(r => r.RequestsPerSecond));
            var gatewayChunked = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-chunked").Select(r => r.RequestsPerSecond));
            if (!double.IsNaN(rawChunked) && !double.IsNaN(gatewayChunked))
            {
                var sized = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-sized-post").Select(r => r.RequestsPerSecond));
                Console.WriteLine(FormattableString.Invariant(
                    $"  chunked 1 KiB        c={count,-3} gateway {gatewayChunked,10:N0} req/s  raw Kestrel {rawChunked:N0}: ratio {gatewayChunked / rawChunked,5:P0}; with a Content-Length through the gateway {sized:N0}: ratio {gatewayChunked / sized,5:P0}"));
                Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=chunked connections={count} gateway_rps={gatewayChunked:F0} raw_rps={rawChunked:F0} ratio={gatewayChunked / rawChunked:F3} sized_rps={sized:F0} ratio_to_sized={gatewayChunked / sized:F3}"));
            }
            var rawUpload = Median(results.Where(r => r.Connections == count && r.Scenario == "kestrel-upload").Select(r => r.RequestsPerSecond));
            var gatewayUpload = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-upload").Select(r => r.RequestsPerSecond));
            if (!double.IsNaN(rawUpload) && !double.IsNaN(gatewayUpload))
            {
                // Bodies of 1 MiB: req/s are MiB/s.
                Console.WriteLine(FormattableString.Invariant(
                    $"  upload               c={count,-3} gateway {gatewayUpload * UploadBytes / 1e6,8:N0} MB/s  raw Kestrel {rawUpload * UploadBytes / 1e6,8:N0} MB/s  ratio {gatewayUpload / rawUpload,5:P0}"));
                Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=upload connections={count} gateway_mb_s={gatewayUpload * UploadBytes / 1e6:F1} raw_mb_s={rawUpload * UploadBytes / 1e6:F1} ratio={gatewayUpload / rawUpload:F3}"));
                var remoteUpload = Median(results.Where(r => r.Connections == count && r.Scenario == RemoteUploadScenario).Select(r => r.RequestsPerSecond));
                if (!double.IsNaN(remoteUpload))
                {
                    Console.WriteLine(FormattableString.Invariant(
                        $"  upload to a worker   c={count,-3} gateway {remoteUpload * UploadBytes / 1e6,8:N0} MB/s  to the gateway's own replica {gatewayUpload * UploadBytes / 1e6,8:N0} MB/s  ratio {remoteUpload / gatewayUpload,5:P0}"));
                    Console.WriteLine(FormattableString.Invariant($"RESULT http scenario=upload-remote connections={count} remote_mb_s={remoteUpload * UploadBytes / 1e6:F1} local_mb_s={gatewayUpload * UploadBytes / 1e6:F1} ratio={remoteUpload / gatewayUpload:F3}"));
                }
            }
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
