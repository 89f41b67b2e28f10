using System.CommandLine;

namespace Serve.Cli.Commands;

/// <summary><c>serve delete</c>: deletes one application and waits until its replicas have stopped.</summary>
internal static class DeleteCommand
{
    public static Command Create(CliOptions options)
    {
        var name = new Argument<string>("application") { Description = "The application to delete." };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the delete has started, without waiting for the replicas to stop." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the replicas to stop. Default is 120.", DefaultValueFactory = _ => 120 };
        var command = new Command("delete", "Delete an application; its replicas finish their requests and stop.") { name, noWait, timeout };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            var application = parse.GetValue(name)!;
            var limit = StatusPolling.Timeout(parse.GetValue(timeout));
            using var client = options.ClientOf(parse);
            await client.DeleteAsync(application, cancellationToken);
            if (!parse.GetValue(noWait))
            {
                await StatusPolling.WaitAsync(client, d => !d.Applications.ContainsKey(application), limit,
                    d => $"'{application}' is still {StatusView.Name(d.Applications[application].Status)}.", cancellationToken);
            }
            await options.Console.Out.WriteLineAsync(parse.GetValue(noWait) ? $"Deleting '{application}'." : $"Deleted '{application}'.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
