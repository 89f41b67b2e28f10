using System.CommandLine;
using System.CommandLine.Help;
using Serve.Cli.Commands;

namespace Serve.Cli;

/// <summary>The <c>serve</c> command line, Ray Serve's CLI for Serve: run, deploy, status, config, delete, shutdown, build, schema.</summary>
internal static class ServeCli
{
    /// <summary>Runs one command line; returns its exit code (<see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        var options = new CliOptions(console);
        // Named as users type it: a RootCommand takes its name from the assembly it runs in, and help said "Serve.Cli".
        var root = new Command("serve", "Serve: deploy, inspect and delete applications. Every command but run and build talks to a gateway's admin API.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Options.Add(options.Address);
        root.Options.Add(options.Token);
        root.Subcommands.Add(RunCommand.Create(options));
        root.Subcommands.Add(DeployCommand.Create(options));
        root.Subcommands.Add(StatusCommand.Create(options));
        root.Subcommands.Add(ConfigCommand.Create(options));
        root.Subcommands.Add(DeleteCommand.Create(options));
        root.Subcommands.Add(ShutdownCommand.Create(options));
        root.Subcommands.Add(BuildCommand.Create(options));
        root.Subcommands.Add(SchemaCommand.Create(options));

        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Ctrl+C cancels the command's token; `serve run` then stops its cluster gracefully, which may take a while.
            ProcessTerminationTimeout = console.HandlesCtrlC ? TimeSpan.FromSeconds(60) : null,
        };
        if (parse.Errors.Count > 0 && !IsHelp(args))
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"serve: {error.Message}");
            }
            await console.Error.WriteLineAsync("Run 'serve --help' (or 'serve <command> --help') for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(configuration, cancellationToken);
    }

    private static bool IsHelp(string[] args) => args.Any(a => a is "-h" or "--help" or "-?" or "/?");
}
