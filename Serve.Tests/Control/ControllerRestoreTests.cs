using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Grains;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Control;

/// <summary>A controller activated again from its store (its silo died, or it left after a failed write) tells the truth at once.</summary>
public sealed class ControllerRestoreTests
{
    [Fact]
    public async Task GetStatusView_ControllerActivatedAgain_RunningApplicationShownRunningFromTheFirstRead()
    {
        var builder = ServeClusterFixture.CreateBuilder(1, LogLevel.Critical);
        // Which activation of the controller answered each status read.
        var answeredBy = new ConcurrentQueue<ActivationId>();
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddIncomingGrainCallFilter(async context =>
            {
                await context.Invoke();
                if (context.InterfaceMethod?.Name == nameof(IControllerGrain.GetStatusViewAsync))
                {
                    answeredBy.Enqueue(context.TargetContext.ActivationId);
                }
            });
            SwitchableStorage.AddTo(silo);
            silo.AddServe(TestDeployments.Register);
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var silo = cluster.Silos[0].ServiceProvider;
        var serve = silo.GetRequiredService<IServeClient>();
        var storage = SwitchableStorage.Of(silo);
        await serve.RunAsync(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2 }).Bind("before"), "before", null);
        await serve.WaitForAsync(s => s.Applications["before"].State == ApplicationState.Running);
        var controller = cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        Assert.NotNull(await controller.GetStatusViewAsync(long.MinValue));
        var first = Assert.Single(answeredBy);

        // A write the store refuses makes the controller leave; the next call activates it again from the store.
        storage.Failing = true;
        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => serve.RunAsync(Deployment.For<Greeter>().Bind("during"), "during", null));
        storage.Failing = false;

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var reads = 0;
        while (true)
        {
            var view = await controller.GetStatusViewAsync(long.MinValue);
            reads++;
            var before = view!.Status.Applications["before"];
            var greeter = before.Deployments["Greeter"];
            Assert.True(
                (before.State, greeter.State, greeter.RunningReplicas, greeter.Replicas.Count) == (ApplicationState.Running, DeploymentState.Healthy, 2, 2),
                $"Status read {reads} showed {before.State}, Greeter {greeter.State} with {greeter.RunningReplicas} of {greeter.Replicas.Count} replica(s) running, though nothing changed ('{greeter.Message}').");
            if (answeredBy.Last() != first)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), patience.Token);
        }
    }
}
