namespace Serve.Tests.Cli;

/// <summary>What one in-process run of the serve CLI returned and printed.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error);
