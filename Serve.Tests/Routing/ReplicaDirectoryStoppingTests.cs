using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serve.Testing;
using Serve.Tests.Deployments;

namespace Serve.Tests.Routing;

/// <summary>
/// A host that begins to stop stops its routers' long polls, but not before a router has had its first replica set:
/// the calls waiting for it would wait until their requests were abandoned. Found operating a cluster: a gateway sent
/// SIGTERM 50 ms after its first requests to a deployment held all eight for its whole shutdown timeout (30 s), then
/// logged them as answered.
/// </summary>
public sealed class ReplicaDirectoryStoppingTests
{
    [Fact]
    public async Task ApplicationStopping_CallWaitingForFirstReplicaSet_IsServed()
    {
        // Each round races one router's first replica set against the stop (about half of them lost it before the
        // fix), so several hosts in turn.
        for (var round = 0; round < 4; round++)
        {
            var options = new ServeTestHostOptions();
            options.DeploymentAssemblies.Add(typeof(Greeter).Assembly);
            await using var serve = await ServeTestHost.StartAsync(options);
            var greeter = await serve.RunAsync<IProbe>(Deployment.For<Greeter>().Bind($"Hello {round}"), "greeter", routePrefix: null);

            // The handle's first call makes the deployment's router, whose first replica set is on its way when the
            // host begins to stop (ApplicationStopping runs its callbacks before StopApplication returns).
            var call = greeter.Remote.WhoAsync();
            serve.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            Assert.Equal($"Hello {round} at True", await call.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }
}
