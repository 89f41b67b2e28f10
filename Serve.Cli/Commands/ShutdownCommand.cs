using System.CommandLine;

namespace Serve.Cli.Commands;

/// <summary><c>serve shutdown</c>: deletes every application of the gateway's cluster.</summary>
internal static class ShutdownCommand
{
    public static Command Create(CliOptions options)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the deletes have started." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for every replica to stop. Default is 120.", DefaultValueFactory = _ => 120 };
        var command = new Command("shutdown", "Delete every application. The cluster itself keeps running.") { yes, noWait, timeout };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            var limit = StatusPolling.Timeout(parse.GetValue(timeout));
            using var client = options.ClientOf(parse);
            var names = (await client.GetAsync(cancellationToken)).Applications.Keys.ToList();
            if (names.Count == 0)
            {
                await options.Console.Out.WriteLineAsync("No applications to delete.");
                return ExitCodes.Ok;
            }
            if (!parse.GetValue(yes))
            {
                if (!options.Console.IsInteractive)
                {
                    throw new CliException($"this deletes every application ({string.Join(", ", names)}); pass --yes to confirm when not at a terminal.", ExitCodes.Usage);
                }
                await options.Console.Out.WriteAsync($"This deletes every application ({string.Join(", ", names)}). Continue? [y/N] ");
                var answer = await options.Console.In.ReadLineAsync(cancellationToken);
                if (answer?.Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    await options.Console.Out.WriteLineAsync("Nothing deleted.");
                    return ExitCodes.Failed;
                }
            }
            await client.DeleteAsync(null, cancellationToken);
            if (!parse.GetValue(noWait))
            {
                await StatusPolling.WaitAsync(client, d => d.Applications.Count == 0, limit,
                    d => $"still deleting {string.Join(", ", d.Applications.Keys)}.", cancellationToken);
            }
            await options.Console.Out.WriteLineAsync($"{(parse.GetValue(noWait) ? "Deleting" : "Deleted")} every application ({string.Join(", ", names)}).");
            return ExitCodes.Ok;
        });
        return command;
    }
}
