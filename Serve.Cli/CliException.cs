namespace Serve.Cli;

/// <summary>A failure the CLI reports as a message and an exit code, without a stack trace.</summary>
/// <param name="message">What went wrong and what to do.</param>
/// <param name="exitCode">The process's exit code.</param>
/// <param name="transient">The admin API could not be reached or did not answer in time: asking again later may work.</param>
internal sealed class CliException(string message, int exitCode, bool transient = false) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public bool Transient { get; } = transient;
}
