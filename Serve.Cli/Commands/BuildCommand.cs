using System.CommandLine;
using Serve.Applications;
using Serve.Configuration;

namespace Serve.Cli.Commands;

/// <summary><c>serve build</c>: writes a config file for applications built in code, with every option of their code made explicit.</summary>
internal static class BuildCommand
{
    public static Command Create(CliOptions options)
    {
        var importPaths = new Argument<string[]>("import_path") { Description = "Application builders, as Assembly:Member (e.g. Serve.Samples:TextPipeline).", Arity = ArgumentArity.OneOrMore };
        var assemblies = new Option<string[]>("--assembly") { Description = "An assembly holding builders and deployments to load first; repeatable.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the config to this file instead of standard output." };
        var command = new Command("build", "Write a config file for application builders, with the options of their code, ready to edit and serve deploy.")
        {
            importPaths, assemblies, output,
        };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            DeploymentAssemblyLoader.Load(parse.GetValue(assemblies) ?? []);
            var paths = parse.GetValue(importPaths)!;
            var problems = new ConfigProblems();
            var applications = new List<(string, string, ApplicationBuilder, BoundDeployment)>();
            for (var i = 0; i < paths.Length; i++)
            {
                var name = $"app{i + 1}";
                var routePrefix = paths.Length == 1 ? "/" : $"/{name}";
                var where = paths.Length == 1 ? "import_path" : $"import_path {paths[i]}";
                if (ApplicationBuilders.Resolve(paths[i], where, problems) is not { } builder
                    || builder.Build(builder.DefaultArgsJson(), where, problems) is not { } app)
                {
                    continue;
                }
                try
                {
                    ApplicationGraph.Build(app, name, routePrefix);
                    applications.Add((name, routePrefix, builder, app));
                }
                catch (InvalidApplicationException e)
                {
                    foreach (var error in e.Errors)
                    {
                        problems.Add(where, error);
                    }
                }
            }
            if (problems.Count > 0)
            {
                throw new CliException($"cannot build a config:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", problems.Errors)}", ExitCodes.Failed);
            }

            var yaml = $"# Written by `serve build {string.Join(' ', paths)}`: every option is the code's. Edit it, then `serve deploy <this file>`.{Environment.NewLine}"
                + ConfigYaml.Write(ServeConfigWriter.Build(applications, "127.0.0.1", 8000));
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, yaml, cancellationToken);
                await options.Console.Out.WriteLineAsync($"Wrote {Path.GetFullPath(file)} ({applications.Count} application(s)).");
            }
            else
            {
                await options.Console.Out.WriteAsync(yaml);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
