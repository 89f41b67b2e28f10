using Serve.Benchmarks;
using Serve.Benchmarks.Autoscaling;
using Serve.Benchmarks.Chaos;
using Serve.Benchmarks.Churn;
using Serve.Benchmarks.Deploy;
using Serve.Benchmarks.Embeddings;
using Serve.Benchmarks.Fuzz;
using Serve.Benchmarks.Http;
using Serve.Benchmarks.Multiplexing;
using Serve.Benchmarks.Rolling;
using Serve.Benchmarks.Scale;
using Serve.Benchmarks.Soak;
using Serve.Benchmarks.Streams;
using Serve.Benchmarks.Testing;
using Serve.Benchmarks.Tls;

// dotnet run -c Release --project Serve.Benchmarks -- handles [--duration 10] [--warmup 2] [--callers 64] ...
// dotnet run -c Release --project Serve.Benchmarks -- handle-payloads [the same options]   (a record: JSON fallback vs generated codec)
// dotnet run -c Release --project Serve.Benchmarks -- http [--duration 10] [--rounds 2] [--connections 64,8] [--telemetry]
// dotnet run -c Release --project Serve.Benchmarks -- hop [--duration 5] [--rounds 2] [--connections 1,8,64]   (bare loopback round trips: the floor under a remote hop)
// dotnet run -c Release --project Serve.Benchmarks -- grpc [--duration 10] [--rounds 2] [--concurrency 64,8]
// dotnet run -c Release --project Serve.Benchmarks -- autoscaling [--before 10] [--step 20] [--after 90]
// dotnet run -c Release --project Serve.Benchmarks -- deploy [--rounds 6] [--replicas 4]
// dotnet run -c Release --project Serve.Benchmarks -- rolling [--rollouts 5] [--replicas 5]
// dotnet run -c Release --project Serve.Benchmarks -- chaos [--liveness fast|default] [--kills 5]
// dotnet run -c Release --project Serve.Benchmarks -- multiplexing [--models 12] [--replicas 4] [--requests 6000]
// dotnet run -c Release --project Serve.Benchmarks -- tls [--duration 10] [--rounds 2]
// dotnet run -c Release --project Serve.Benchmarks -- embeddings [--duration 15] [--rounds 2] [--clients 32] [--batch-sizes 1,4,8,16,32]
// dotnet run -c Release --project Serve.Benchmarks -- fuzz [--requests 100000] [--seed 13]
// dotnet run -c Release --project Serve.Benchmarks -- scale [--apps 1000] [--replicas 10] [--silos 4] [--process-silos 1]
// dotnet run -c Release --project Serve.Benchmarks -- churn [--minutes 2] [--rounds 5] [--rate 100]
// dotnet run -c Release --project Serve.Benchmarks -- soak [--minutes 30] [--workers 2] [--load 50]
// dotnet run -c Release --project Serve.Benchmarks -- testing [--rounds 6]
// dotnet run -c Release --project Serve.Benchmarks -- streams [--path handle|http] [--items 48] [--item-mb 4] [--delay-ms 50] [--limit bytes|unbounded]
// A mode's usage, by its name; a wrong command line prints the mistake and that usage, and exits with 2.
var usages = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["handles"] = BenchmarkSettings.Usage,
    ["handle-payloads"] = PayloadBenchmark.Usage,
    ["http"] = HttpBenchmark.Usage,
    ["hop"] = HopBenchmark.Usage,
    ["grpc"] = GrpcBenchmark.Usage,
    ["websocket"] = WebSocketBenchmark.Usage,
    [TelemetryGateway.Command] = TelemetryGatewayArguments.Usage,
    ["autoscaling"] = AutoscalingBenchmark.Usage,
    ["deploy"] = DeployBenchmark.Usage,
    ["rolling"] = RollingBenchmark.Usage,
    ["chaos"] = ChaosSettings.Usage,
    ["multiplexing"] = MultiplexingBenchmark.Usage,
    ["tls"] = TlsBenchmark.Usage,
    ["embeddings"] = EmbeddingsSettings.Usage,
    ["fuzz"] = FuzzBenchmark.Usage,
    ["scale"] = ScaleBenchmark.Usage,
    ["churn"] = ChurnBenchmark.Usage,
    ["soak"] = SoakBenchmark.Usage,
    ["testing"] = LocalTestingBenchmark.Usage,
    ["streams"] = StreamMemoryBenchmark.Usage,
};
var mode = args.FirstOrDefault();
try
{
    switch (mode)
    {
        case "handles":
            await HandleBenchmark.RunAsync(BenchmarkSettings.Parse(args.AsSpan(1)));
            return 0;
        case "handle-payloads":
            await PayloadBenchmark.RunAsync(BenchmarkSettings.Parse(args.AsSpan(1)));
            return 0;
        case "http":
            return await HttpBenchmark.RunAsync(args[1..]);
        case "hop":
            return await HopBenchmark.RunAsync(args[1..]);
        case HopBenchmark.EchoCommand:
            return await HopBenchmark.EchoAsync();
        case "grpc":
            return await GrpcBenchmark.RunAsync(args[1..]);
        case "websocket":
            return await WebSocketBenchmark.RunAsync(args[1..]);
        case TelemetryGateway.Command:
            return await TelemetryGateway.RunAsync(args[1..]);
        case "autoscaling":
            return await AutoscalingBenchmark.RunAsync(args[1..]);
        case "deploy":
            return await DeployBenchmark.RunAsync(args[1..]);
        case "rolling":
            return await RollingBenchmark.RunAsync(args[1..]);
        case "chaos":
            return await ChaosBenchmark.RunAsync(args[1..]);
        case "multiplexing":
            return await MultiplexingBenchmark.RunAsync(args[1..]);
        case "tls":
            return await TlsBenchmark.RunAsync(args[1..]);
        case "embeddings":
            return await EmbeddingsBenchmark.RunAsync(args[1..]);
        case "fuzz":
            return await FuzzBenchmark.RunAsync(args[1..]);
        case "scale":
            return await ScaleBenchmark.RunAsync(args[1..]);
        case "churn":
            return await ChurnBenchmark.RunAsync(args[1..]);
        case "soak":
            return await SoakBenchmark.RunAsync(args[1..]);
        case "testing":
            return await LocalTestingBenchmark.RunAsync(args[1..]);
        case "streams":
            return await StreamMemoryBenchmark.RunAsync(args[1..]);
        default:
            Console.Error.WriteLine(mode is null ? "Name a benchmark." : $"Unknown benchmark '{mode}'; the benchmarks are {string.Join(", ", usages.Keys)}.");
            foreach (var usage in usages.Values)
            {
                Console.Error.WriteLine(usage);
            }
            return 2;
    }
}
catch (BenchmarkUsageException e)
{
    Console.Error.WriteLine($"{mode}: {e.Message}");
    Console.Error.WriteLine(usages.GetValueOrDefault(mode!, ""));
    return 2;
}
