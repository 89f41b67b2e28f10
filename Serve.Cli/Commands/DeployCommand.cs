using System.CommandLine;
using Serve.Admin;
using Serve.Grains;

namespace Serve.Cli.Commands;

/// <summary><c>serve deploy</c>: sends a config file to a gateway's admin API, which applies it declaratively.</summary>
internal static class DeployCommand
{
    public static Command Create(CliOptions options)
    {
        var file = new Argument<string>("config") { Description = "The config file (YAML or JSON); - reads standard input." };
        var wait = new Option<bool>("--wait") { Description = "Wait until every application of the config is RUNNING and every gateway serves its routes; fail if one is DEPLOY_FAILED." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds --wait waits. Default is 300.", DefaultValueFactory = _ => 300 };
        var command = new Command("deploy", "Apply a config file: its applications are deployed or updated, every other application deployed from a config is deleted; applications run from code are left running. Replicas are kept where only options such as num_replicas or user_config changed.")
        {
            file, wait, timeout,
        };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            var config = await options.ReadConfigAsync(parse.GetValue(file)!, cancellationToken);
            var limit = StatusPolling.Timeout(parse.GetValue(timeout));
            using var client = options.ClientOf(parse);
            var result = await client.PutConfigAsync(config, cancellationToken);
            var output = options.Console.Out;
            await output.WriteLineAsync($"Config applied to {options.AddressOf(parse)}: {Summary(result)}.");
            if (result.Kept.Count > 0)
            {
                await output.WriteLineAsync(Kept(result.Kept));
            }
            foreach (var warning in result.Warnings)
            {
                await options.Console.Error.WriteLineAsync($"warning: {TerminalText.Printable(warning)}");
            }
            if (!parse.GetValue(wait))
            {
                await output.WriteLineAsync("Run 'serve status' to follow the deployment.");
                return ExitCodes.Ok;
            }
            var names = result.Created.Concat(result.Updated).Concat(result.Unchanged).ToHashSet();
            var started = DateTimeOffset.UtcNow;
            await StatusPolling.WaitAsync(client, details => AllRunning(details, names), limit, details => Pending(details, names), cancellationToken);
            // RUNNING is the controller's word; a gateway that has not taken the new routes in still answers 404 for them.
            await WhenGatewaysServeAsync(client, result.RouteVersion, started + limit, limit, cancellationToken);
            await output.WriteLineAsync($"Every application is RUNNING and every gateway serves its routes ({(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Polls the route spread until no live gateway serves a table older than <paramref name="version"/>, the one the
    /// config's apply published, or the deadline passes. Other applications' changes after it publish newer tables, which
    /// the gateways need not have taken in: compared with the controller's current table instead, each of them kept the
    /// wait going. A gateway of an earlier release does not say which table its apply published: the table current at the
    /// first look stands for it.
    /// </summary>
    private static async Task WhenGatewaysServeAsync(AdminClient client, long? version, DateTimeOffset deadline, TimeSpan limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var routes = await client.GetRoutesAsync(cancellationToken);
            version ??= routes.Version;
            var behind = RouteSpread.BehindOf(routes.Gateways, version.Value);
            if (behind.Count == 0)
            {
                return;
            }
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new CliException(
                    $"gave up after {limit.TotalSeconds:0} s: every application is RUNNING, but gateway(s) {string.Join(", ", behind)} do not serve route table version {version} yet.",
                    ExitCodes.Failed);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private static string Summary(ApplyConfigResponse result)
    {
        var parts = new List<string>();
        Add("created", result.Created);
        Add("updated", result.Updated);
        // An unchanged application whose last deploy had failed is deployed again: "unchanged" alone read as nothing done.
        Add("unchanged", [.. result.Unchanged.Except(result.Retried, StringComparer.Ordinal)]);
        Add("retried", result.Retried);
        Add("deleted", result.Deleted);
        return parts.Count == 0 ? "no applications" : string.Join("; ", parts);

        void Add(string what, IReadOnlyList<string> names)
        {
            if (names.Count > 0)
            {
                parts.Add($"{what} {string.Join(", ", names)}");
            }
        }
    }

    /// <summary>What became of the applications run from code: nothing, and why, and how to delete one.</summary>
    internal static string Kept(IReadOnlyList<string> names) =>
        $"Left running: {string.Join(", ", names)} (run from code, not from a config: a config deletes only applications deployed from a config). "
        + $"'serve delete {names[0]}' deletes {(names.Count == 1 ? "it" : "one")}.";

    internal static bool AllRunning(ServeDetails details, IReadOnlySet<string> names)
    {
        foreach (var name in names)
        {
            if (!details.Applications.TryGetValue(name, out var app))
            {
                return false;
            }
            if (app.Status == ApplicationState.DeployFailed)
            {
                throw new CliException($"application '{name}' is DEPLOY_FAILED: {app.Message}", ExitCodes.Failed);
            }
            if (app.Status != ApplicationState.Running)
            {
                return false;
            }
        }
        return true;
    }

    private static string Pending(ServeDetails details, IReadOnlySet<string> names) =>
        string.Join("; ", names.Select(n => details.Applications.TryGetValue(n, out var app)
            ? $"'{n}' is {StatusView.Name(app.Status)}{(app.Message.Length > 0 ? $" ({app.Message})" : "")}"
            : $"'{n}' is missing"));
}
