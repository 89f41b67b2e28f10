namespace Serve.Cli;

/// <summary>A failure the CLI reports as a message and an exit code, without a stack trace.</summary>
internal sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
