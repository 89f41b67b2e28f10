namespace Serve.Cli;

/// <summary>Where a CLI run reads and writes, and its environment: the process's own, or a test's.</summary>
internal sealed record CliConsole
{
    public static CliConsole System { get; } = new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        IsInteractive = !Console.IsInputRedirected && !Console.IsOutputRedirected,
        Environment = global::System.Environment.GetEnvironmentVariable,
        HandlesCtrlC = true,
    };

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Whether a person is at the terminal: prompts are asked and <c>--watch</c> redraws the screen.</summary>
    public bool IsInteractive { get; init; }

    public Func<string, string?> Environment { get; init; } = _ => null;

    /// <summary>Whether Ctrl+C (SIGINT, SIGTERM) cancels the command; a test cancels through its token instead.</summary>
    public bool HandlesCtrlC { get; init; }
}
