namespace Serve.Benchmarks;

/// <summary>A benchmark's command line is wrong: the message names the option and the value; the program prints it with the mode's usage and exits with 2.</summary>
internal sealed class BenchmarkUsageException(string message) : Exception(message);
