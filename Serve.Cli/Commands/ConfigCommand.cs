using System.CommandLine;
using Serve.Configuration;

namespace Serve.Cli.Commands;

/// <summary><c>serve config</c>: prints the config the gateway's applications were deployed from, as YAML.</summary>
internal static class ConfigCommand
{
    public static Command Create(CliOptions options)
    {
        var names = new Argument<string[]>("application") { Description = "Only these applications. Default: all.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("config", "Print the config the applications were deployed from (YAML), ready for serve deploy.") { names };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            using var client = options.ClientOf(parse);
            var details = await client.GetAsync(cancellationToken);
            var only = parse.GetValue(names) ?? [];
            var missing = only.Where(n => !details.Applications.ContainsKey(n)).ToList();
            if (missing.Count > 0)
            {
                throw new CliException($"no application {string.Join(", ", missing.Select(n => $"'{n}'"))}. Applications: {(details.Applications.Count == 0 ? "none" : string.Join(", ", details.Applications.Keys))}.", ExitCodes.Failed);
            }
            var entries = new List<ConfigNode>();
            foreach (var app in details.Applications.Values.Where(a => only.Length == 0 || only.Contains(a.Name)))
            {
                if (app.DeployedAppConfig is { } config)
                {
                    entries.Add(ConfigJson.Read(config));
                }
                else
                {
                    await options.Console.Error.WriteLineAsync($"# '{app.Name}' was run from code, not from a config; it is left out, and serve deploy of this config leaves it running. 'serve build' writes a config for its builder.");
                }
            }
            var document = ConfigNode.Mapping([new("applications", ConfigNode.Sequence(entries))]);
            await options.Console.Out.WriteAsync(ConfigYaml.Write(document));
            return ExitCodes.Ok;
        });
        return command;
    }
}
