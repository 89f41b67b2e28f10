using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Serve.Admin;
using Serve.Cli.Reload;
using Serve.Configuration;
using Serve.Grains;
using Serve.Hosting;
using Serve.Watching;

namespace Serve.Cli.Commands;

/// <summary>
/// <c>serve run</c>: starts an embedded one-process cluster (silo, gateway, admin API), deploys a config file or one
/// application builder, prints the status live while it deploys, and serves until Ctrl+C.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliOptions options)
    {
        var target = new Argument<string>("config_or_import_path") { Description = "A config file (.yaml, .yml, .json) or an application builder (Assembly:Member, e.g. Serve.Samples:TextPipeline)." };
        var assemblies = new Option<string[]>("--assembly") { Description = "An assembly holding builders and deployments to load first; repeatable.", AllowMultipleArgumentsPerToken = true };
        var name = new Option<string?>("--name") { Description = "The application's name, with an import path. Default is default." };
        var routePrefix = new Option<string?>("--route-prefix") { Description = "The application's route prefix, with an import path. Default is /." };
        var host = new Option<string?>("--host") { Description = "The gateway's HTTP address. Default: the config's http_options.host, else 127.0.0.1." };
        var port = Port("--port", "The gateway's HTTP port; 0 picks a free one. Default: the config's http_options.port, else 8000.");
        var adminHost = new Option<string?>("--admin-host") { Description = "The admin API's address. Default is 127.0.0.1; any other needs --token." };
        var adminPort = Port("--admin-port", "The admin API's port; 0 picks a free one. Default is 8265.");
        var siloPort = Port("--silo-port", "The embedded silo's port. Default is a free loopback port.");
        var clientPort = Port("--client-port", "The embedded silo's port for Orleans clients. Default: none (no Orleans clients).");
        var reload = new Option<bool>("--reload") { Description = "Start Serve again whenever the --assembly files (rebuilt) or the config file change: a development loop." };
        var command = new Command("run", "Run a config file or an application builder on an embedded cluster in this process, showing the status live; Ctrl+C stops it. --token secures its admin API.")
        {
            target, assemblies, name, routePrefix, host, port, adminHost, adminPort, siloPort, clientPort, reload,
        };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            if (parse.GetValue(reload))
            {
                return await ReloadAsync(parse, parse.GetValue(target)!, parse.GetValue(assemblies) ?? [], options, cancellationToken);
            }
            var loaded = DeploymentAssemblyLoader.Load(parse.GetValue(assemblies) ?? []);
            var text = await ConfigTextAsync(parse.GetValue(target)!, parse.GetValue(name), parse.GetValue(routePrefix), options, cancellationToken);
            ResolvedConfig config;
            try
            {
                config = ResolvedConfig.Load(text);
            }
            catch (InvalidConfigException e)
            {
                throw new CliException($"the config is invalid; nothing was started:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", e.Errors)}", ExitCodes.Failed);
            }

            var http = config.Config.HttpOptions;
            var settings = new Dictionary<string, string?>
            {
                ["Serve:Http:Host"] = parse.GetValue(host) ?? http?.Host ?? "127.0.0.1",
                ["Serve:Http:Port"] = (parse.GetValue(port) ?? http?.Port ?? 8000).ToString(CultureInfo.InvariantCulture),
                ["Serve:Http:RequestTimeout"] = http?.RequestTimeout?.ToString("c", CultureInfo.InvariantCulture),
                ["Serve:Admin:Host"] = parse.GetValue(adminHost) ?? "127.0.0.1",
                ["Serve:Admin:Port"] = (parse.GetValue(adminPort) ?? 8265).ToString(CultureInfo.InvariantCulture),
                ["Serve:Admin:Token"] = options.TokenOf(parse),
            };
            var builder = ServeHost.CreateBuilder([]);
            builder.Configuration.AddInMemoryCollection(settings);
            // The silo builds replicas of the classes this command was asked to run, and of none other.
            var deployments = loaded.Concat(DeploymentAssemblyLoader.Of(config.Applications)).Distinct().ToList();
            // The services their constructors take, from their assemblies' setup classes, as a worker would register them.
            ServeServiceSetups.Apply(builder.Services, builder.Configuration, deployments);
            builder.Services.Configure<ServeOptions>(o =>
            {
                foreach (var assembly in deployments.Where(a => !o.DeploymentAssemblies.Contains(a)))
                {
                    o.DeploymentAssemblies.Add(assembly);
                }
            });
            // The live status is the output; logs add warnings and errors, and nothing once stopping (the runtime's
            // own shutdown is noisy and says nothing the user can act on).
            var stopping = false;
            builder.Logging.AddFilter((_, _, level) => level >= (stopping ? LogLevel.Critical : LogLevel.Warning));
            if (parse.GetValue(siloPort) is { } silo || parse.GetValue(clientPort) is not null)
            {
                builder.Services.Configure<EndpointOptions>(o =>
                {
                    o.SiloPort = parse.GetValue(siloPort) ?? o.SiloPort;
                    o.GatewayPort = parse.GetValue(clientPort) ?? o.GatewayPort;
                });
            }

            await using var app = builder.Build();
            app.MapServe();
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (OptionsValidationException e)
            {
                throw new CliException($"cannot start:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", e.Failures)}", ExitCodes.Usage);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new CliException($"cannot start the cluster: {e.Message} Another Serve may be running: choose other ports with --port, --admin-port and --silo-port.", ExitCodes.Failed);
            }

            var output = options.Console.Out;
            try
            {
                var admin = app.Services.GetRequiredService<AdminListener>().Address;
                var gateway = app.Urls.FirstOrDefault(u => admin is null || new Uri(u).Port != admin.Port) ?? "?";
                await output.WriteLineAsync($"Serve is running in this process: HTTP on {gateway}, admin API on {admin} ({(options.TokenOf(parse) is null ? "no token: loopback only" : "bearer token required")}).");
                var controller = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IControllerGrain>(IControllerGrain.Key);
                var started = DateTimeOffset.UtcNow;
                try
                {
                    await controller.ApplyConfigAsync(config.Applications).WaitAsync(cancellationToken);
                }
                catch (InvalidConfigException e)
                {
                    throw new CliException($"the config was refused:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", e.Errors)}", ExitCodes.Failed);
                }
                return await FollowAsync(controller, config.Applications.Select(a => a.Name).ToList(), gateway.TrimEnd('/'), started, output, options.Console.Error, cancellationToken);
            }
            finally
            {
                await output.WriteLineAsync("Stopping Serve...");
                stopping = true;
                await app.StopAsync(CancellationToken.None);
            }
        });
        return command;
    }

    /// <summary>
    /// A port option, refused at parsing (exit 2, naming the option and the value) unless a number from 0 to 65535: past
    /// the parser, a port out of range failed deep in the start with a stack trace.
    /// </summary>
    private static Option<int?> Port(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
            {
                return port;
            }
            result.AddError($"{name}: '{text}' is not a port number (0 to 65535; 0 picks a free one).");
            return null;
        },
    };

    /// <summary>
    /// <c>--reload</c>: this command line without it, run as a child process and started again on each change of the files
    /// it loads (<see cref="ReloadingRun"/>). It needs a file to watch: an import path alone, without <c>--assembly</c>,
    /// names none, and a config read from standard input cannot be read again.
    /// </summary>
    private static Task<int> ReloadAsync(ParseResult parse, string target, string[] assemblies, CliOptions options, CancellationToken cancellationToken)
    {
        if (target == "-")
        {
            throw new CliException("--reload reads the config again on each change, so it cannot come from standard input: give the config file's path.", ExitCodes.Usage);
        }
        var watched = ReloadWatchSet.For(assemblies.Select(DeploymentAssemblyLoader.ExistingPath), IsConfigFile(target) ? target : null);
        if (watched.IsEmpty)
        {
            throw new CliException("--reload watches the --assembly files and the config file, and an import path alone names neither: add --assembly <your deployments' .dll>.", ExitCodes.Usage);
        }
        var arguments = parse.Tokens.Select(t => t.Value).Where(v => v != "--reload").ToList();
        return ReloadingRun.RunAsync(watched, arguments, options.Console, TimeProvider.System, cancellationToken);
    }

    private static bool IsConfigFile(string target) =>
        File.Exists(target) || target == "-" || Path.GetExtension(target).ToLowerInvariant() is ".yaml" or ".yml" or ".json";

    /// <summary>The config to run: the file's text, or a one-application config for an import path.</summary>
    private static async Task<string> ConfigTextAsync(string target, string? name, string? routePrefix, CliOptions options, CancellationToken cancellationToken)
    {
        if (!IsConfigFile(target))
        {
            return ConfigYaml.Write(ConfigNode.Mapping(
            [
                new("applications", ConfigNode.Sequence(
                [
                    ConfigNode.Mapping(
                    [
                        new("name", ConfigNode.Of(name ?? "default")),
                        new("route_prefix", ConfigNode.Of(routePrefix ?? "/")),
                        new("import_path", ConfigNode.Of(target)),
                    ]),
                ])),
            ]));
        }
        if (name is not null || routePrefix is not null)
        {
            throw new CliException("--name and --route-prefix go with an import path; a config file names its applications and their route prefixes.", ExitCodes.Usage);
        }
        return await options.ReadConfigAsync(target, cancellationToken);
    }

    /// <summary>Prints every change of the applications' status until Ctrl+C; a DEPLOY_FAILED application is reported on standard error, once per reason.</summary>
    private static async Task<int> FollowAsync(IControllerGrain controller, IReadOnlyList<string> names, string gateway, DateTimeOffset started, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var lines = new Dictionary<string, string>();
        var reportedFailures = new HashSet<(string, string)>();
        var serving = false;
        var watch = new VersionedWatch<ServeSnapshot>((version, token) => controller.WatchAsync(version, token), s => s.Version, WatchBackoff.Forever, TimeProvider.System);
        while (!cancellationToken.IsCancellationRequested)
        {
            ServeSnapshot snapshot;
            try
            {
                snapshot = await watch.NextAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            var elapsed = (DateTimeOffset.UtcNow - started).TotalSeconds;
            foreach (var name in names)
            {
                var line = snapshot.Status.Applications.TryGetValue(name, out var app) ? Describe(app) : $"{name}: waiting for the controller";
                if (lines.GetValueOrDefault(name) != line)
                {
                    lines[name] = line;
                    await output.WriteLineAsync($"[{elapsed,6:0.0}s] {line}");
                }
                if (app?.State == ApplicationState.DeployFailed && reportedFailures.Add((name, app.Message)))
                {
                    // Reported, not fatal: the other applications (and this one's previous version, if any) keep serving,
                    // and a fixed config can be applied with serve deploy while this process runs.
                    await error.WriteLineAsync($"error: application '{name}' is DEPLOY_FAILED: {TerminalText.Printable(app.Message)} Serve keeps running; fix it and apply the config again with 'serve deploy', or press Ctrl+C to stop.");
                }
            }
            var states = names.Select(n => snapshot.Status.Applications.GetValueOrDefault(n)?.State).ToList();
            // Once every application has settled (RUNNING, or DEPLOY_FAILED and reported above), those that run are served.
            if (!serving && states.Contains(ApplicationState.Running) && states.All(state => state is ApplicationState.Running or ApplicationState.DeployFailed))
            {
                serving = true;
                // RUNNING is the controller's word: the addresses are printed once the gateway serves their routes, so a
                // request sent the moment they show is answered, not 404.
                try
                {
                    await RouteSpreadWait.UntilEveryGatewayServesAsync(controller, TimeProvider.System, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                foreach (var name in names.Where(n => snapshot.Status.Applications[n].State == ApplicationState.Running))
                {
                    var prefix = snapshot.Status.Applications[name].RoutePrefix;
                    await output.WriteLineAsync($"{name}: {(prefix is null ? "no HTTP route (handles only)" : $"{gateway}{(prefix == "/" ? "/" : prefix)}")}");
                }
                var failed = states.Count(state => state == ApplicationState.DeployFailed);
                await output.WriteLineAsync(failed == 0
                    ? $"Every application is RUNNING ({elapsed:0.0} s). Press Ctrl+C to stop."
                    : $"{names.Count - failed} of {names.Count} application(s) RUNNING, {failed} DEPLOY_FAILED ({elapsed:0.0} s). Press Ctrl+C to stop.");
            }
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// An application's line: its state, each deployment's replicas and state, and its message; while it deploys, the
    /// messages of its deployments that have one (a replica start that failed and is retried names its error from the
    /// first failure on, in words that stay the same while it repeats, so it is printed once, not once per retry).
    /// </summary>
    internal static string Describe(ApplicationStatus app)
    {
        var ordered = app.Deployments.Values.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        var deployments = string.Join(", ", ordered.Select(d =>
            $"{d.Name} {StatusView.Replicas(d.RunningReplicas, d.TargetReplicas, d.PreviousVersionReplicas)} {StatusView.Name(d.State)}"));
        var message = app.Message.Length > 0 || app.State != ApplicationState.Deploying
            ? app.Message
            : string.Join(" ", ordered.Where(d => d.Message.Length > 0).Select(d => $"{d.Name}: {d.Message}"));
        return TerminalText.Printable($"{app.Name}: {StatusView.Name(app.State)}{(deployments.Length > 0 ? $" ({deployments})" : "")}{(message.Length > 0 ? $" {message}" : "")}");
    }
}
