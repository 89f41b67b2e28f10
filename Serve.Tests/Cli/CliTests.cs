using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serve.Applications;
using Serve.Cli;
using Serve.Configuration;
using Serve.Grains;
using Serve.Tests.Configuration;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Cli;

/// <summary>The serve CLI, run in-process through its entry point against a real gateway with the admin API.</summary>
[Collection(AdminCollection.Name)]
public sealed partial class CliTests(AdminFixture fixture) : IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("serve-cli-tests-").FullName;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Address => fixture.AdminAddress.ToString();

    private string File(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default, CapturedWriter? output = null)
    {
        output ??= new CapturedWriter();
        var error = new CapturedWriter();
        var console = new CliConsole { Out = output, Error = error, Environment = name => environment?.GetValueOrDefault(name) };
        var exit = await ServeCli.RunAsync(args, console, cancellationToken);
        return new CliResult(exit, output.Text, error.Text);
    }

    private Task<CliResult> AdminAsync(params string[] args) => RunAsync([.. args, "--address", Address, "--token", AdminFixture.Token]);

    /// <summary>Starts <c>serve run</c> on <paramref name="config"/>, a cluster of its own on free ports, writing to <paramref name="output"/> until cancelled.</summary>
    private static Task<CliResult> ServeRunAsync(string config, CapturedWriter output, CancellationToken cancellationToken)
    {
        var ports = FreePorts.Take(2);
        return RunAsync(["run", config, "--port", "0", "--admin-port", "0", "--silo-port", $"{ports[0]}", "--client-port", $"{ports[1]}", "--token", AdminFixture.Token],
            cancellationToken: cancellationToken, output: output);
    }

    private const string Pipeline = """
        applications:
          - name: text
            route_prefix: /text
            import_path: Serve.Samples:TextPipeline
            args: {max_tokens: 8}
            deployments:
              - {name: Tokenizer, num_replicas: 2}
          - name: greeter
            route_prefix: null
            import_path: Serve.Tests:ConfigApps.Greeter
            args: {greeting: Hey}
        """;

    [Fact]
    public async Task Deploy_ConfigWithWait_AppliesAndWaitsUntilRunning()
    {
        var deploy = await AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait");

        Assert.Equal((0, ""), (deploy.ExitCode, deploy.Error));
        Assert.Contains("created text, greeter", deploy.Out);
        Assert.Contains("Every application is RUNNING", deploy.Out);
        var status = await fixture.Serve.GetStatusAsync();
        Assert.All(status.Applications.Values, a => Assert.Equal(ApplicationState.Running, a.State));

        var again = await AdminAsync("deploy", File("serve.yaml", Pipeline));
        Assert.Contains("unchanged text, greeter", again.Out);
    }

    [Fact]
    public async Task Deploy_WaitWhileAGatewayStillServesTheOldRoutes_GivesUpNamingIt()
    {
        // A second gateway, as the controller hears it: it polled with the table from before the deploy and never takes
        // the new one in (RUNNING says nothing of it; before, --wait returned while it still answered 404).
        var before = await fixture.Controller.WatchRoutesAsync("lagging-gateway", -1, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var lagging = fixture.Controller.WatchRoutesAsync("lagging-gateway", before.Version, stop.Token);
        try
        {
            var deploy = await AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait", "--timeout", "15");

            Assert.Equal(1, deploy.ExitCode);
            Assert.Contains("every application is RUNNING, but gateway(s) lagging-gateway do not serve route table version", deploy.Error);
        }
        finally
        {
            // It catches up, so the fixture's other tests do not wait for it.
            var now = await lagging.WaitAsync(TimeSpan.FromSeconds(30));
            using var done = new CancellationTokenSource();
            var caughtUp = fixture.Controller.WatchRoutesAsync("lagging-gateway", now.Version, done.Token);
            await done.CancelAsync();
            await stop.CancelAsync();
            await caughtUp.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task Deploy_WaitWhileAnotherApplicationChangesTheRoutes_ReturnsOnceEveryGatewayServesItsOwnChange()
    {
        // A second gateway, as the controller hears it: it holds the table from before the deploy, so --wait waits for it.
        // The test above's fake gateway, not one more: whichever of the two runs second finds no other behind.
        var before = await fixture.Controller.WatchRoutesAsync("lagging-gateway", -1, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var polling = fixture.Controller.WatchRoutesAsync("lagging-gateway", before.Version, stop.Token);
        try
        {
            var deploy = AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait", "--timeout", "60");
            // The table the deploy published: the first that routes to /text.
            var own = await Poll.UntilAsync(() => fixture.Controller.WatchRoutesAsync(-1, CancellationToken.None), r => r.Routes.Any(e => e.Prefix == "/text"), TimeSpan.FromSeconds(60));
            // Another application's change, after the deploy's (the controller takes one call at a time), publishes a newer
            // table; the lagging gateway takes in the deploy's table and never that one.
            await fixture.Controller.DeployApplicationAsync(Serve.Applications.ApplicationGraph.Build(Deployment.For<Tests.Deployments.Greeter>().Bind("other"), "other", "/other"));
            Assert.True((await fixture.Controller.GetRouteSpreadAsync()).Version > own.Version);
            // It asks again and again with that table, as a live gateway does: it stays live, and behind the newer table.
            var asking = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await fixture.Controller.WatchRoutesAsync("lagging-gateway", own.Version, CancellationToken.None);
                    await Task.Delay(Poll.Interval * 10, CancellationToken.None);
                }
            }, CancellationToken.None);

            // Before, --wait compared the gateways with the controller's current table, and waited for the other
            // application's change too: here until its timeout.
            var result = await deploy;
            await stop.CancelAsync();
            await asking;
            Assert.Equal((0, ""), (result.ExitCode, result.Error));
            Assert.Contains("every gateway serves its routes", result.Out);
        }
        finally
        {
            // It catches up, so the fixture's other tests do not wait for it.
            var now = await fixture.Controller.WatchRoutesAsync(-1, CancellationToken.None);
            using var done = new CancellationTokenSource();
            var caughtUp = fixture.Controller.WatchRoutesAsync("lagging-gateway", now.Version, done.Token);
            await done.CancelAsync();
            await stop.CancelAsync();
            await caughtUp.ContinueWith(_ => { }, TaskScheduler.Default);
            await polling.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static string RolloutConfig(string version, bool broken) => $$"""
        applications:
          - name: model
            route_prefix: null
            import_path: Serve.Tests:ConfigApps.Rollout
            args: {version: {{version}}, broken: {{(broken ? "true" : "false")}}}
        """;

    [Fact]
    public async Task Deploy_BrokenVersionThenRollback_WaitExits1WhileThePreviousVersionServesAndStatusSaysSo()
    {
        Assert.Equal(0, (await AdminAsync("deploy", File("v1.yaml", RolloutConfig("v1", broken: false)), "--wait")).ExitCode);

        var broken = await AdminAsync("deploy", File("v2.yaml", RolloutConfig("v2", broken: true)), "--wait");

        // A pipeline can tell: exit 1, naming the application and what its constructor threw.
        Assert.Equal(ExitCodes.Failed, broken.ExitCode);
        Assert.Contains("application 'model' is DEPLOY_FAILED", broken.Error);
        Assert.Contains("version v2 cannot load its weights", broken.Error);
        var model = await fixture.Serve.GetAppHandleAsync<Deployments.IProbe>("model");
        Assert.Equal("v1", await model.Remote.WhoAsync());
        // Not "0/2": the new version runs nowhere and the previous one serves on both replicas.
        var status = (await AdminAsync("status", "model")).Out.Split('\n');
        Assert.Contains(status, l => Regex.IsMatch(l, @"^model\s+DEPLOY_FAILED\s+-\s+Model\s+DEPLOY_FAILED\s+0/2 \+2 previous\s"));
        var json = JsonDocument.Parse((await AdminAsync("status", "--json", "model")).Out).RootElement
            .GetProperty("applications").GetProperty("model").GetProperty("deployments").GetProperty("Model");
        Assert.Equal((0, 2, 2), (json.GetProperty("running_replicas").GetInt32(), json.GetProperty("previous_version_replicas").GetInt32(), json.GetProperty("target_replicas").GetInt32()));

        var rollback = await AdminAsync("deploy", File("v1.yaml", RolloutConfig("v1", broken: false)), "--wait");

        Assert.Equal((0, ""), (rollback.ExitCode, rollback.Error));
        Assert.Contains((await AdminAsync("status", "model")).Out.Split('\n'), l => Regex.IsMatch(l, @"^model\s+RUNNING\s+-\s+Model\s+HEALTHY\s+2/2\s*$"));
        Assert.Equal("v1", await model.Remote.WhoAsync());
    }

    [Fact]
    public async Task Deploy_InvalidConfig_PrintsEveryErrorAndExits1()
    {
        var deploy = await AdminAsync("deploy", File("bad.yaml", """
            applications:
              - {name: text, import_path: "Serve.Samples:TextPipeline", deployments: [{name: Tokenizer, num_replicas: -2, max_ongoing_requests: 0}]}
            """));

        Assert.Equal(ExitCodes.Failed, deploy.ExitCode);
        Assert.Equal(
            """
            serve deploy: The config is invalid; nothing was applied.
              - applications[0].deployments[0].num_replicas: must be ≥ 0 (got -2).
              - applications[0].deployments[0].max_ongoing_requests: must be ≥ 1 (got 0).

            """.ReplaceLineEndings(), deploy.Error);
        Assert.Empty((await fixture.Serve.GetStatusAsync()).Applications);
    }

    [Fact]
    public async Task Status_AfterDeploy_ShowsApplicationsDeploymentsAndReplicas()
    {
        await AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait");

        var status = await AdminAsync("status");
        var json = await AdminAsync("status", "--json", "text");

        Assert.Equal(0, status.ExitCode);
        var lines = status.Out.Split('\n');
        Assert.Matches(@"^APPLICATION\s+STATUS\s+ROUTE\s+DEPLOYMENT\s+STATUS\s+REPLICAS\s+MESSAGE$", lines[0]);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^greeter\s+RUNNING\s+-\s+Greeter\s+HEALTHY\s+1/1$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^text\s+RUNNING\s+/text\s+SentimentScorer\s+HEALTHY\s+1/1$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+Tokenizer\s+HEALTHY\s+2/2$"));
        Assert.Equal(5, lines.Count(l => Regex.IsMatch(l, @"^(text|greeter)/\S+/\S+/\d+\s+RUNNING\s+S\S+$")));
        Assert.Equal("RUNNING", JsonDocument.Parse(json.Out).RootElement.GetProperty("applications").GetProperty("text").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Status_ReplicasRunAnotherBuildThanTheDeployment_ShowsEachReplicasBuildAndWarns()
    {
        // As after new code reached the workers but not the gateway that applied the config: the spec names one build,
        // the silo runs another (event 2012 in the replica's log). The operator reading status must see it too.
        var deployed = Guid.NewGuid().ToString("N");
        var graph = ApplicationGraph.Build(Deployment.For<Deployments.Greeter>().Bind("mixed"), "mixed", null);
        await fixture.Controller.DeployApplicationAsync(graph with { Deployments = [graph.Deployments[0] with { Build = deployed }] });
        var running = DeploymentBuild.Of(typeof(Deployments.Greeter));

        var status = await Poll.UntilAsync(() => AdminAsync("status", "mixed"), s => Regex.IsMatch(s.Out, @"(?m)^mixed\s+RUNNING\s"), TimeSpan.FromSeconds(30));
        var json = JsonDocument.Parse((await AdminAsync("status", "--json", "mixed")).Out).RootElement
            .GetProperty("applications").GetProperty("mixed").GetProperty("deployments").GetProperty("Greeter");

        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"(?m)^REPLICA\s+STATE\s+SILO\s+BUILD$", status.Out);
        Assert.Matches($@"(?m)^mixed/Greeter/\S+/0\s+RUNNING\s+S\S+\s+{running[..8]}\*$", status.Out);
        Assert.Matches($@"(?m)^Warning: mixed/Greeter was deployed with build {deployed[..8]}, but 1 of its 1 replica\(s\) run another: build {running[..8]} on S\S+\. ", status.Out);
        Assert.Equal(deployed, json.GetProperty("build").GetString());
        Assert.Equal(running, Assert.Single(json.GetProperty("replicas").EnumerateArray()).GetProperty("build").GetString());
    }

    [Fact]
    public async Task Status_ReplicasRunTheDeploymentsBuild_NoBuildColumnNorWarning()
    {
        await fixture.Serve.RunAsync(Deployment.For<Deployments.Greeter>().Bind("same"), "same", null);

        var status = await AdminAsync("status", "same");
        var json = JsonDocument.Parse((await AdminAsync("status", "--json", "same")).Out).RootElement
            .GetProperty("applications").GetProperty("same").GetProperty("deployments").GetProperty("Greeter");

        Assert.Matches(@"(?m)^REPLICA\s+STATE\s+SILO$", status.Out);
        Assert.DoesNotContain("Warning", status.Out, StringComparison.Ordinal);
        Assert.Equal(json.GetProperty("build").GetString(), Assert.Single(json.GetProperty("replicas").EnumerateArray()).GetProperty("build").GetString());
    }

    [Fact]
    public async Task Status_NamedApplications_AsksForThoseAloneAndAnUnknownNameFailsTheCommand()
    {
        await AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait");
        // The snapshot moves after the last whole status was built: a whole read now would build it again.
        await fixture.Serve.RunAsync(Deployment.For<Deployments.Greeter>().Bind("code"), "coded", null);
        var builds = fixture.StatusCache.Builds;

        var status = await AdminAsync("status", "greeter");
        var json = await AdminAsync("status", "--json", "greeter");
        Assert.Equal(builds, fixture.StatusCache.Builds);
        // An unknown name is a 404 whose message lists the applications there are: that reads the whole status.
        var partly = await AdminAsync("status", "greeter", "nothing");
        var none = await AdminAsync("status", "nothing");

        Assert.Equal(0, status.ExitCode);
        Assert.Equal(status.Out, partly.Out);
        Assert.Matches(@"(?m)^greeter\s+RUNNING\s+-\s+Greeter\s+HEALTHY\s+1/1$", status.Out);
        Assert.DoesNotContain("text", status.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("coded", status.Out, StringComparison.Ordinal);
        var applications = JsonDocument.Parse(json.Out).RootElement.GetProperty("applications");
        Assert.Equal(["greeter"], applications.EnumerateObject().Select(p => p.Name));
        Assert.Equal((1, "No application named nothing.\n"), (none.ExitCode, none.Out));
        Assert.Equal(1, partly.ExitCode);
    }

    [Fact]
    public async Task Status_MessageWithTerminalEscapes_PrintedVisiblyNeverObeyed()
    {
        // What a deployment's constructor throws is its status message: escape sequences in it (clear the screen,
        // retitle the window, a bidirectional override) would reach the operator's terminal as commands.
        const string Reason = "model\u001b[2J\u001b]0;owned\u0007 not found\u202e";
        await Assert.ThrowsAsync<DeployFailedException>(() => fixture.Serve.RunAsync(Deployment.For<Deployments.ThrowingConstructor>()
            .Options(o => o with { MaxConstructorRetryCount = 1 }).Bind(Reason), "escapes", null));

        var status = await AdminAsync("status", "escapes");

        Assert.Equal(0, status.ExitCode);
        Assert.DoesNotContain('\u001b', status.Out);
        Assert.DoesNotContain('\u0007', status.Out);
        Assert.DoesNotContain('\u202e', status.Out);
        Assert.Contains(@"model\u001B[2J\u001B]0;owned\u0007 not found\u202E", status.Out);
    }

    [Fact]
    public async Task StatusWatch_UntilCancelled_PrintsChangesAndExits0()
    {
        using var cancel = new CancellationTokenSource();
        var output = new CapturedWriter();
        var watch = RunAsync(["status", "--watch", "--interval", "0.05", "--address", Address, "--token", AdminFixture.Token], cancellationToken: cancel.Token, output: output);
        await WaitForAsync(() => output.Text.Contains("No applications.", StringComparison.Ordinal));

        await AdminAsync("deploy", File("serve.yaml", Pipeline));
        await WaitForAsync(() => Regex.IsMatch(output.Text, @"greeter\s+RUNNING"));
        await cancel.CancelAsync();

        Assert.Equal(0, (await watch).ExitCode);
    }

    [Fact]
    public async Task Config_AfterDeploy_PrintsTheConfigThatRedeploysUnchanged()
    {
        await AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait");
        await fixture.Serve.RunAsync(Deployment.For<Deployments.Greeter>().Bind("code"), "coded", null);

        var config = await AdminAsync("config");

        Assert.Equal(0, config.ExitCode);
        Assert.Contains("'coded' was run from code", config.Error);
        var problems = new ConfigProblems();
        var parsed = ServeConfigParser.Parse(config.Out, problems);
        Assert.Empty(problems.Errors);
        Assert.Equal(["greeter", "text"], parsed!.Applications.Select(a => a.Name));
        var redeploy = await AdminAsync("deploy", File("back.yaml", config.Out));
        Assert.Equal(0, redeploy.ExitCode);
        Assert.Contains("Config applied to", redeploy.Out);
        Assert.Contains(": unchanged greeter, text.", redeploy.Out);
        Assert.DoesNotContain("deleted", redeploy.Out);
        Assert.Contains("Left running: coded (run from code, not from a config", redeploy.Out);
        Assert.Contains("'serve delete coded' deletes it.", redeploy.Out);
        Assert.Equal(["coded", "greeter", "text"], (await fixture.Serve.GetStatusAsync()).Applications.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delete_Application_WaitsUntilGoneAndUnknownExits1()
    {
        await AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait");

        var delete = await AdminAsync("delete", "greeter");
        var unknown = await AdminAsync("delete", "greeter");

        Assert.Equal((0, "Deleted 'greeter'."), (delete.ExitCode, delete.Out.Trim()));
        Assert.Equal(["text"], (await fixture.Serve.GetStatusAsync()).Applications.Keys);
        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Equal("serve delete: No application 'greeter'. Known: text.", unknown.Error.Trim());
    }

    [Fact]
    public async Task Shutdown_NeedsYesWhenNotInteractive_ThenDeletesEverything()
    {
        await AdminAsync("deploy", File("serve.yaml", Pipeline), "--wait");

        var refused = await AdminAsync("shutdown");
        var shutdown = await AdminAsync("shutdown", "--yes");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("pass --yes", refused.Error);
        Assert.Equal((0, "Deleted every application (greeter, text)."), (shutdown.ExitCode, shutdown.Out.Trim()));
        Assert.Empty((await fixture.Serve.GetStatusAsync()).Applications);
    }

    [Fact]
    public async Task Build_ImportPath_WritesAConfigThatDeploys()
    {
        var path = Path.Combine(_directory, "built.yaml");

        var build = await RunAsync(["build", "Serve.Samples:TextPipeline", "-o", path]);
        var deploy = await AdminAsync("deploy", path, "--wait");

        Assert.Equal(0, build.ExitCode);
        Assert.StartsWith("# Written by `serve build Serve.Samples:TextPipeline`", await System.IO.File.ReadAllTextAsync(path));
        Assert.Equal(0, deploy.ExitCode);
        var app = (await fixture.Serve.GetStatusAsync()).Applications["app1"];
        Assert.Equal((ApplicationState.Running, 2), (app.State, app.Deployments["Tokenizer"].TargetReplicas));
    }

    [Fact]
    public async Task Help_RootAndCommand_UsageNamesTheCommandUsersType()
    {
        var root = await RunAsync(["--help"]);
        var run = await RunAsync(["run", "--help"]);

        Assert.Equal((0, 0), (root.ExitCode, run.ExitCode));
        Assert.Contains("serve [command] [options]", root.Out);
        Assert.Contains("serve run <config_or_import_path> [options]", run.Out);
        Assert.DoesNotContain("Serve.Cli", root.Out + run.Out);
    }

    [Fact]
    public async Task Build_UnknownImportPath_Exits1WithTheReason()
    {
        var build = await RunAsync(["build", "Serve.Samples:Nope"]);

        Assert.Equal(ExitCodes.Failed, build.ExitCode);
        Assert.Contains("import_path: assembly 'Serve.Samples' has no public type or builder 'Nope'.", build.Error);
    }

    [Fact]
    public async Task Commands_WithoutTokenOrGateway_Exit3WithAHint()
    {
        var noToken = await RunAsync(["status", "--address", Address]);
        var fromEnvironment = await RunAsync(["status"], new Dictionary<string, string> { ["SERVE_ADDRESS"] = Address, ["SERVE_ADMIN_TOKEN"] = AdminFixture.Token });
        var nobody = await RunAsync(["status", "--address", $"http://127.0.0.1:{FreePorts.Take(1)[0]}"]);

        Assert.Equal(ExitCodes.Unreachable, noToken.ExitCode);
        Assert.Contains("needs a bearer token. Fix: pass --token, or set SERVE_ADMIN_TOKEN.", noToken.Error);
        Assert.Equal((0, "No applications."), (fromEnvironment.ExitCode, fromEnvironment.Out.Trim()));
        Assert.Equal(ExitCodes.Unreachable, nobody.ExitCode);
        Assert.Contains("Cannot reach the Serve admin API", nobody.Error);
    }

    [Fact]
    public async Task Commands_PointedAtTheHttpGatewayInsteadOfTheAdminApi_Exit3NamingTheAdminPort()
    {
        // The address a new user has at hand is the HTTP one (8000): before, `serve deploy` answered "Not Found No
        // endpoint of this application matches PUT /api/serve/applications", an application's 404.
        var gateway = fixture.Gateway.BaseAddress!.ToString();

        var status = await RunAsync(["status", "--address", gateway, "--token", AdminFixture.Token]);
        var delete = await RunAsync(["delete", "anything", "--address", gateway, "--token", AdminFixture.Token]);

        Assert.All(new[] { status, delete }, result =>
        {
            Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
            Assert.Contains($"{gateway} is Serve's HTTP gateway, where applications are served, not its admin API. Fix: pass the admin API's address with --address", result.Error);
        });
    }

    [Fact]
    public async Task Usage_UnknownCommandOrMissingFile_Exits2()
    {
        var unknown = await RunAsync(["launch"]);
        var missing = await AdminAsync("deploy", Path.Combine(_directory, "none.yaml"));

        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("Run 'serve --help'", unknown.Error);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--admin-port", "-1")]
    [InlineData("--silo-port", "99999")]
    [InlineData("--client-port", "abc")]
    public async Task Run_PortNotAPortNumber_Exits2NamingTheOptionAndTheValueAndStartsNothing(string option, string value)
    {
        // Free ports for the others, should the value get through: no test takes a fixed port.
        var others = new[] { "--port", "--admin-port" }.Where(o => o != option).SelectMany(o => new[] { o, "0" });
        var run = await RunAsync(["run", "Serve.Samples:TextPipeline", .. others, option, value]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"serve: {option}: '{value}' is not a port number (0 to 65535; 0 picks a free one).", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task RunReload_NothingToWatch_Exits2SayingWhatToAddAndStartsNothing()
    {
        var importPath = await RunAsync(["run", "Serve.Samples:TextPipeline", "--reload", "--port", "0", "--admin-port", "0"]);
        var stdin = await RunAsync(["run", "-", "--reload", "--port", "0", "--admin-port", "0"]);
        var missing = await RunAsync(["run", File("reload.yaml", Pipeline), "--assembly", Path.Combine(_directory, "Missing.dll"), "--reload"]);

        Assert.Equal(ExitCodes.Usage, importPath.ExitCode);
        Assert.Contains("--reload watches the --assembly files and the config file, and an import path alone names neither: add --assembly", importPath.Error);
        Assert.Equal(ExitCodes.Usage, stdin.ExitCode);
        Assert.Contains("cannot come from standard input", stdin.Error);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("Missing.dll' does not exist", missing.Error);
        Assert.All([importPath, stdin, missing], run => Assert.Equal("", run.Out));
    }

    [Fact]
    public async Task Run_Config_ServesLiveUntilCancelled()
    {
        var config = File("run.yaml", """
            applications:
              - {name: echo, route_prefix: /echo, import_path: "Serve.Tests:ConfigApps.Echo"}
            """);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = new CapturedWriter();

        var run = ServeRunAsync(config, output, cancel.Token);
        await WaitForAsync(() => output.Text.Contains("Every application is RUNNING", StringComparison.Ordinal) || run.IsCompleted);

        if (run.IsCompleted)
        {
            Assert.Fail($"serve run ended early: {await run}");
        }
        Assert.Matches(@"\[\s*\d+\.\ds\] echo: (DEPLOYING|RUNNING) \(EchoIngress \d/1 (UPDATING|HEALTHY)\)", output.Text);
        var gateway = ListeningOn().Match(output.Text);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Groups["http"].Value) };
        // Printed once the gateway serves the route: answered at once.
        Assert.Equal("from-config", (await http.GetFromJsonAsync<JsonElement>("/echo/x")).GetProperty("label").GetString());
        var status = await RunAsync(["status", "--address", gateway.Groups["admin"].Value, "--token", AdminFixture.Token]);
        Assert.Matches(@"echo\s+RUNNING\s+/echo", status.Out);

        await cancel.CancelAsync();
        var result = await run;
        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.EndsWith("Stopping Serve...", result.Out.TrimEnd());
    }

    [Fact]
    public async Task Run_OneApplicationDeployFailed_ReportsItAndKeepsServingTheOthers()
    {
        var config = File("run-failing.yaml", """
            applications:
              - {name: echo, route_prefix: /echo, import_path: "Serve.Tests:ConfigApps.Echo"}
              - {name: broken, route_prefix: /broken, import_path: "Serve.Tests:ConfigApps.Broken"}
            """);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var output = new CapturedWriter();

        var run = ServeRunAsync(config, output, cancel.Token);
        await WaitForAsync(() => output.Text.Contains("broken: DEPLOY_FAILED", StringComparison.Ordinal) || run.IsCompleted);
        await WaitForAsync(() => output.Text.Contains("1 of 2 application(s) RUNNING, 1 DEPLOY_FAILED", StringComparison.Ordinal) || run.IsCompleted);

        Assert.False(run.IsCompleted, $"serve run ended: {(run.IsCompleted ? await run : null)}");
        var gateway = ListeningOn().Match(output.Text);
        // The running one's address, printed once the gateway serves its route: answered at once; none for the failed one.
        Assert.Contains($"echo: {gateway.Groups["http"].Value.TrimEnd('/')}/echo", output.Text);
        Assert.DoesNotContain("broken: http", output.Text);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Groups["http"].Value) };
        Assert.Equal("from-config", (await http.GetFromJsonAsync<JsonElement>("/echo/x")).GetProperty("label").GetString());
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/broken/x")).StatusCode);
        // The admin API is still there to tell a deploy --wait what failed.
        var deploy = await RunAsync(["deploy", config, "--wait", "--timeout", "30", "--address", gateway.Groups["admin"].Value, "--token", AdminFixture.Token]);
        Assert.Equal(ExitCodes.Failed, deploy.ExitCode);
        // Before: "unchanged broken, echo", though the failed one was deployed again.
        Assert.Contains("unchanged echo; retried broken", deploy.Out);
        Assert.Contains("application 'broken' is DEPLOY_FAILED", deploy.Error);
        Assert.Contains("no weights file", deploy.Error);

        await cancel.CancelAsync();
        var result = await run;
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("application 'broken' is DEPLOY_FAILED", result.Error);
        Assert.Contains("Serve keeps running", result.Error);
    }

    [Fact]
    public async Task Run_InvalidConfig_StartsNothingAndExits1()
    {
        var run = await RunAsync(["run", File("bad.yaml", "applications: [{import_path: 'Serve.Tests:ConfigApps.Missing'}]")]);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("the config is invalid; nothing was started", run.Error);
        Assert.Contains("applications[0].import_path: Serve.Tests.Configuration.ConfigApps has no public static member 'Missing'", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Run_YamlBombs_StartNothingAndExit1NamingTheLine()
    {
        var cycle = await RunAsync(["run", File("cycle.yaml", "applications: &a [*a]\n")]);
        var laughs = await RunAsync(["run", File("laughs.yaml", ConfigYamlReaderTests.BillionLaughs())]);

        Assert.Equal((ExitCodes.Failed, ExitCodes.Failed), (cycle.ExitCode, laughs.ExitCode));
        Assert.Contains("applications[0]: line 1, column 19: the alias *a is inside the node its anchor names", cycle.Error);
        Assert.Contains("l3[7]: line 4, column 45: the config holds more than 10,000 values", laughs.Error);
    }

    private static Task WaitForAsync(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30));

    private static Task WaitForAsync(Func<Task<bool>> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30));

    [GeneratedRegex(@"HTTP on (?<http>http://\S+), admin API on (?<admin>http://\S+) ")]
    private static partial Regex ListeningOn();
}
