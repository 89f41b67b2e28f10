using System.CommandLine;
using System.Text.Json;
using Serve.Admin;

namespace Serve.Cli.Commands;

/// <summary><c>serve status</c>: a table of applications, deployments, replicas and their states; <c>--watch</c> keeps it fresh.</summary>
internal static class StatusCommand
{
    public static Command Create(CliOptions options)
    {
        var applications = new Argument<string[]>("application") { Description = "Only these applications. Default: all.", Arity = ArgumentArity.ZeroOrMore };
        var watch = new Option<bool>("--watch", "-w") { Description = "Redraw whenever the status changes, until Ctrl+C." };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls with --watch. Default is 1.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the admin API's JSON instead of a table." };
        var command = new Command("status", "Show the state of every application, deployment and replica.") { applications, watch, interval, json };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            using var client = options.ClientOf(parse);
            var only = parse.GetValue(applications) ?? [];
            var seconds = parse.GetValue(interval);
            if (!(seconds > 0))
            {
                throw new CliException($"--interval: {seconds} must be a positive number of seconds.", ExitCodes.Usage);
            }
            string? last = null;
            while (true)
            {
                string text;
                bool allFound;
                try
                {
                    (text, allFound) = await ReadAsync(client, only, parse.GetValue(json), cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && parse.GetValue(watch))
                {
                    return ExitCodes.Ok;
                }
                if (!parse.GetValue(watch))
                {
                    await options.Console.Out.WriteAsync(text);
                    // A name that is not there fails the command, as the README's exit codes say, so a script can tell.
                    return allFound ? ExitCodes.Ok : ExitCodes.Failed;
                }
                if (text != last)
                {
                    // A terminal is redrawn in place; a pipe or a log gets each new status once, stamped.
                    await options.Console.Out.WriteAsync(options.Console.IsInteractive ? $"\u001b[H\u001b[2J{text}" : $"--- {DateTimeOffset.Now:HH:mm:ss}{Environment.NewLine}{text}");
                    last = text;
                }
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return ExitCodes.Ok;
                }
            }
        });
        return command;
    }

    /// <summary>
    /// The status as text. Named applications are asked for one by one (at a thousand applications the whole status is
    /// megabytes); their JSON is the whole document's <c>applications</c> with just those, without the gateway's
    /// <c>http_options</c>. Names not found are left out, and said so by <c>AllFound</c>.
    /// </summary>
    private static async Task<(string Text, bool AllFound)> ReadAsync(AdminClient client, string[] only, bool json, CancellationToken cancellationToken)
    {
        if (only.Length == 0)
        {
            var details = await client.GetAsync(cancellationToken);
            return (json ? JsonSerializer.Serialize(details, AdminJson.Options) + Environment.NewLine : StatusView.Render(details.Applications.Values, only), true);
        }
        var found = new SortedDictionary<string, ApplicationDetails>(StringComparer.Ordinal);
        foreach (var name in only.Distinct(StringComparer.Ordinal))
        {
            if (await client.GetApplicationAsync(name, cancellationToken) is { } app)
            {
                found[name] = app;
            }
        }
        var text = json
            ? JsonSerializer.Serialize(new Dictionary<string, IReadOnlyDictionary<string, ApplicationDetails>> { [ServeDetails.ApplicationsName] = found }, AdminJson.Options) + Environment.NewLine
            : StatusView.Render(found.Values, only);
        return (text, found.Count == only.Distinct(StringComparer.Ordinal).Count());
    }
}
