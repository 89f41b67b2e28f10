namespace Serve.Benchmarks.Targets;

[GenerateSerializer]
public sealed record CodecItem([property: Id(0)] string Name, [property: Id(1)] long Value);
