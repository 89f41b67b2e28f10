namespace Serve.Benchmarks.Targets;

public sealed record PlainItem(string Name, long Value);
