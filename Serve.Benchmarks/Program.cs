using Serve.Benchmarks;

// dotnet run -c Release --project Serve.Benchmarks -- handles [--duration 10] [--warmup 2] [--callers 64] ...
if (args.Length == 0 || args[0] != "handles")
{
    Console.Error.WriteLine(args.Length == 0 ? "Name a benchmark." : $"Unknown benchmark '{args[0]}'.");
    Console.Error.WriteLine(BenchmarkSettings.Usage);
    return 2;
}
var settings = BenchmarkSettings.Parse(args.AsSpan(1), out var error);
if (settings is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(BenchmarkSettings.Usage);
    return 2;
}

await HandleBenchmark.RunAsync(settings);
return 0;
