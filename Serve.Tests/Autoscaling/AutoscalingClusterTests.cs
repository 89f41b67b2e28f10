using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Autoscaling;

/// <summary>The autoscaler end to end: routers and replicas report load, the deployment follows the policy.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class AutoscalingClusterTests(SingleSiloFixture fixture)
{
    private IServeClient Serve => fixture.Serve;

    private static AutoscalingConfig Fast(int min, int max, double target = 1) => new()
    {
        MinReplicas = min,
        MaxReplicas = max,
        TargetOngoingRequests = target,
        UpscaleDelay = TimeSpan.Zero,
        DownscaleDelay = TimeSpan.FromMilliseconds(500),
        DownscaleToZeroDelay = TimeSpan.FromMilliseconds(500),
        LookBackPeriod = TimeSpan.FromSeconds(1),
        BurstWindow = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task Autoscaling_LoadStepThenIdle_ScalesUpThenBackDown()
    {
        var gate = Gate.Create(nameof(Autoscaling_LoadStepThenIdle_ScalesUpThenBackDown));
        var app = Deployment.For<Probe>().Options(o => o with { MaxOngoingRequests = 1, Autoscaling = Fast(1, 4) }).Bind();
        var handle = await Serve.RunAsync<IProbe>(app, "scale-step", null);

        var calls = Enumerable.Range(0, 4).Select(_ => handle.Remote.HoldAsync(gate.Name)).ToArray();
        var up = await Serve.WaitForAsync(s => s.Deployment("scale-step", "Probe").RunningReplicas == 4);
        await gate.WhenArrivedAsync(4);
        gate.Open();
        await Task.WhenAll(calls);
        var down = await Serve.WaitForAsync(s => s.Deployment("scale-step", "Probe") is { TargetReplicas: 1, Replicas.Count: 1 });

        Assert.Equal(4, up.Deployment("scale-step", "Probe").TargetReplicas);
        Assert.Equal(4, calls.Select(c => c.Result).Distinct().Count());
        Assert.Contains("→ 1 replica", down.Deployment("scale-step", "Probe").ScalingDecision);
        var history = down.Deployment("scale-step", "Probe").RecentScalingDecisions;
        Assert.Equal((4, 1), (history.Max(e => e.ToReplicas), history[^1].ToReplicas));
        Assert.Equal(ApplicationState.Running, down.Applications["scale-step"].State);
        await Serve.DeleteAsync("scale-step");
    }

    [Fact]
    public async Task Autoscaling_MinZero_IdleScalesToZeroAndNextRequestIsServed()
    {
        var app = Deployment.For<Probe>().Options(o => o with { Autoscaling = Fast(0, 2) }).Bind();
        var handle = await Serve.RunAsync<IProbe>(app, "scale-zero", null);
        Assert.Empty((await Serve.GetStatusAsync()).Deployment("scale-zero", "Probe").Replicas);

        var first = await handle.Remote.WhoAsync();
        // Back at zero after the scale-up: told by the decisions, not by a status caught at one replica, which lasts only
        // the downscale delay (a machine stalled that long between two status reads would never see it).
        await Serve.WaitForAsync(s => s.Deployment("scale-zero", "Probe") is { TargetReplicas: 0, Replicas.Count: 0 } d
            && d.RecentScalingDecisions.Any(e => e is { FromReplicas: 0, ToReplicas: > 0 }) && d.RecentScalingDecisions[^1].ToReplicas == 0);
        var second = await handle.Remote.WhoAsync();

        Assert.NotEqual(first, second);
        await Serve.DeleteAsync("scale-zero");
    }

    [Fact]
    public async Task Autoscaling_DownscaleUnderSteadyLoad_NoRequestFails()
    {
        var app = Deployment.For<Probe>().Options(o => o with { Autoscaling = Fast(1, 3, target: 50) with { InitialReplicas = 3 } }).Bind();
        var handle = await Serve.RunAsync<IProbe>(app, "scale-down-load", null);
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var callers = Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref sent);
                await handle.Remote.WhoAsync();
            }
        }).ToArray();

        await Serve.WaitForAsync(s => s.Deployment("scale-down-load", "Probe") is { TargetReplicas: 1, Replicas.Count: 1 });
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.True(sent > 0);
        Assert.All(callers, c => Assert.True(c.IsCompletedSuccessfully));
        await Serve.DeleteAsync("scale-down-load");
    }
}
