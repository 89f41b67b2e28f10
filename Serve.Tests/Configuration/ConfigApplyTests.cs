using Serve.Configuration;
using Serve.Grains;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Configuration;

[Collection(AdminCollection.Name)]
public sealed class ConfigApplyTests(AdminFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<ConfigApplyResult> ApplyAsync(string yaml) =>
        await fixture.Controller.ApplyConfigAsync(ResolvedConfig.Load(yaml).Applications);

    private static string Configured(string greeting, int replicas, int maxOngoing = 5) => $$"""
        applications:
          - name: configured
            route_prefix: null
            import_path: Serve.Tests:ConfigApps.Configured
            deployments:
              - name: Configured
                num_replicas: {{replicas}}
                max_ongoing_requests: {{maxOngoing}}
                user_config: {greeting: {{greeting}}}
        """;

    private Task<ServeStatus> RunningAsync(string application, int replicas) =>
        fixture.Serve.WaitForAsync(s => s.Applications.TryGetValue(application, out var app) && app.State == ApplicationState.Running
            && app.Deployments.Values.Sum(d => d.Replicas.Count) == replicas);

    private static IReadOnlyList<string> ReplicaIds(ServeStatus status, string application) =>
        status.Applications[application].Deployments.Values.SelectMany(d => d.Replicas).Select(r => r.ReplicaId).Order(StringComparer.Ordinal).ToList();

    /// <summary>Calls until <paramref name="instances"/> distinct instances have answered with <paramref name="greeting"/>; returns their ids.</summary>
    private async Task<IReadOnlySet<string>> InstancesGreetingAsync(string greeting, int instances)
    {
        var handle = fixture.Serve.GetDeploymentHandle<IConfigured>("Configured", "configured");
        var ids = new HashSet<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (ids.Count < instances)
        {
            var answer = (await handle.Remote.DescribeAsync(deadline.Token)).Split(':');
            if (answer[0] == greeting)
            {
                ids.Add(answer[1]);
            }
        }
        return ids;
    }

    [Fact]
    public async Task ApplyConfig_SameConfigTwice_ChangesNothing()
    {
        var first = await ApplyAsync(Configured("hi", 2));
        var before = await RunningAsync("configured", 2);
        var stored = await fixture.Controller.GetApplicationsAsync();

        var second = await ApplyAsync(Configured("hi", 2));

        Assert.Equal(["configured"], first.Created);
        Assert.Equal(["configured"], second.Unchanged);
        Assert.Equal((0, 0, 0, 0), (second.Created.Count, second.Updated.Count, second.Deleted.Count, second.Retried.Count));
        Assert.Equal(stored, await fixture.Controller.GetApplicationsAsync());
        Assert.Equal(ReplicaIds(before, "configured"), ReplicaIds(await fixture.Serve.GetStatusAsync(), "configured"));
    }

    [Fact]
    public async Task ApplyConfig_SameConfigAfterItsDeployFailed_DeploysItAgainAndSaysSo()
    {
        const string broken = """
            applications:
              - {name: broken, route_prefix: null, import_path: "Serve.Tests:ConfigApps.Broken"}
            """;
        await ApplyAsync(broken);
        await fixture.Serve.WaitForAsync(s => s.Applications.TryGetValue("broken", out var app) && app.State == ApplicationState.DeployFailed);

        var again = await ApplyAsync(broken);

        // Its spec is the same, and it is deployed again (as running the same config again does in Ray): the answer says both.
        Assert.Equal(["broken"], again.Unchanged);
        Assert.Equal(["broken"], again.Retried);
    }

    [Fact]
    public async Task RunAsync_FromCodeOverAnApplicationDeployedFromAConfig_LeavesTheConfigsApplicationRunning()
    {
        await ApplyAsync(Configured("hi", 2));
        var before = await RunningAsync("configured", 2);
        var stored = await fixture.Controller.GetApplicationsAsync();

        // As a program's RunAsync at start does when one of its processes restarts after a serve deploy.
        var handle = await fixture.Serve.RunAsync<IConfigured>(
            Deployment.For<Configured>().Options(o => o with { NumReplicas = 1 }).Bind(), "configured", null);

        Assert.Equal(stored, await fixture.Controller.GetApplicationsAsync());
        Assert.NotNull(Assert.Single(stored).Config);
        Assert.Equal(ReplicaIds(before, "configured"), ReplicaIds(await fixture.Serve.GetStatusAsync(), "configured"));
        Assert.StartsWith("hi:", await handle.Remote.DescribeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyConfig_LightweightChange_KeepsReplicasAndReconfiguresThem()
    {
        await ApplyAsync(Configured("hi", 2));
        var before = ReplicaIds(await RunningAsync("configured", 2), "configured");
        var instances = await InstancesGreetingAsync("hi", 2);

        var result = await ApplyAsync(Configured("hello", 3, maxOngoing: 9));
        var after = await RunningAsync("configured", 3);

        Assert.Equal(["configured"], result.Updated);
        Assert.Subset(ReplicaIds(after, "configured").ToHashSet(), before.ToHashSet());
        Assert.Equal(9, (await fixture.Controller.GetApplicationsAsync()).Single().Deployments.Single().Options.MaxOngoingRequests);
        // The instances built for "hi" now say "hello": reconfigured in place, not rebuilt.
        Assert.Subset((await InstancesGreetingAsync("hello", 3)).ToHashSet(), instances.ToHashSet());
    }

    [Fact]
    public async Task ApplyConfig_ConfigDeployedApplicationsNotListed_AreDeletedAndCodeRunOnesKept()
    {
        await ApplyAsync(Configured("hi", 1));
        await fixture.Serve.RunAsync(Deployment.For<Greeter>().Bind("from code"), "coded", null);

        var result = await ApplyAsync("""
            applications:
              - {name: greeter, route_prefix: null, import_path: "Serve.Tests:ConfigApps.Greeter", args: {greeting: Hey}}
            """);

        Assert.Equal(["greeter"], result.Created);
        Assert.Equal(["configured"], result.Deleted);
        Assert.Equal(["coded"], result.Kept);
        var status = await fixture.Serve.WaitForAsync(s => s.Applications.Keys.Order(StringComparer.Ordinal).SequenceEqual(["coded", "greeter"])
            && s.Applications.Values.All(a => a.State == ApplicationState.Running));
        Assert.Equal("Hey at True", await fixture.Serve.GetDeploymentHandle<IProbe>("Greeter", "greeter").Remote.WhoAsync());
        Assert.Equal(2, status.Applications.Count);
    }

    [Fact]
    public async Task ApplyConfig_InvalidConfig_AppliesNothing()
    {
        await ApplyAsync(Configured("hi", 2));
        var before = await RunningAsync("configured", 2);

        var error = await Assert.ThrowsAsync<InvalidConfigException>(() => ApplyAsync("""
            applications:
              - {name: other, route_prefix: /o, import_path: "Serve.Tests:ConfigApps.Greeter"}
              - {name: configured, route_prefix: null, import_path: "Serve.Tests:ConfigApps.Configured", deployments: [{name: Configured, num_replicas: -3}]}
            """));

        Assert.Equal(["applications[1].deployments[0].num_replicas: must be ≥ 0 (got -3)."], error.Errors);
        var after = await fixture.Serve.GetStatusAsync();
        Assert.Equal(["configured"], after.Applications.Keys);
        Assert.Equal(ReplicaIds(before, "configured"), ReplicaIds(after, "configured"));
    }

    [Fact]
    public async Task ApplyConfigAsync_ConflictsGivenToTheController_RejectedWhole()
    {
        var greeter = ResolvedConfig.Load("applications: [{name: g, route_prefix: /g, import_path: 'Serve.Tests:ConfigApps.Greeter'}]").Applications.Single();

        var error = await Assert.ThrowsAsync<InvalidConfigException>(() => fixture.Controller.ApplyConfigAsync(
            [greeter, greeter with { Name = "h" }, greeter with { RoutePrefix = "/h" }]));

        Assert.Equal(
        [
            "applications[1].route_prefix: '/g' is also the route_prefix of applications[0]; each route prefix is served by one application.",
            "applications[2].name: 'g' is also the name of applications[0]; application names must be unique.",
        ], error.Errors);
        Assert.Empty((await fixture.Serve.GetStatusAsync()).Applications);
    }
}
