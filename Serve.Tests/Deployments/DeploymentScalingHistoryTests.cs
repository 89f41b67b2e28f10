using Microsoft.Extensions.Time.Testing;
using Serve.Deployments;
using Serve.Grains;

namespace Serve.Tests.Deployments;

/// <summary>The autoscaler's recent decisions as the deployment's status carries them to the dashboard.</summary>
public sealed class DeploymentScalingHistoryTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static DeploymentSpec Spec(AutoscalingConfig? autoscaling) => new()
    {
        Application = "app",
        TypeName = "Model",
        Arguments = [],
        CodeVersion = "v1",
        Options = new DeploymentOptions { Name = "Model", Autoscaling = autoscaling },
    };

    private DeploymentReconciler Reconciler(AutoscalingConfig? autoscaling)
    {
        var reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7));
        reconciler.Accept(Spec(autoscaling));
        reconciler.Apply();
        return reconciler;
    }

    [Fact]
    public void Status_AfterDecisions_ListsThemOldestFirstWithTimeAndTargets()
    {
        var reconciler = Reconciler(new AutoscalingConfig { MinReplicas = 1, MaxReplicas = 5, InitialReplicas = 1 });

        reconciler.SetAutoscaledTarget(3, "load 6 over 1 replica", []);
        _time.Advance(TimeSpan.FromSeconds(5));
        reconciler.SetAutoscaledTarget(2, "load 2 over 3 replicas", []);
        var status = reconciler.Status();

        Assert.Equal(
            [
                new ScalingEvent { At = DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), FromReplicas = 1, ToReplicas = 3, Reason = "load 6 over 1 replica" },
                new ScalingEvent { At = DateTimeOffset.Parse("2030-01-01T00:00:05Z", System.Globalization.CultureInfo.InvariantCulture), FromReplicas = 3, ToReplicas = 2, Reason = "load 2 over 3 replicas" },
            ],
            status.RecentScalingDecisions);
    }

    [Fact]
    public void Status_ManyDecisions_KeepsTheLastTenOnly()
    {
        var reconciler = Reconciler(new AutoscalingConfig { MinReplicas = 1, MaxReplicas = 50, InitialReplicas = 1 });

        for (var target = 2; target <= 25; target++)
        {
            reconciler.SetAutoscaledTarget(target, $"to {target}", []);
        }
        var history = reconciler.Status().RecentScalingDecisions;

        Assert.Equal(DeploymentReconciler.ScalingHistoryLength, history.Count);
        Assert.Equal(Enumerable.Range(16, 10), history.Select(e => e.ToReplicas));
        Assert.Equal((15, 16), (history[0].FromReplicas, history[0].ToReplicas));
    }

    [Fact]
    public void Status_NotAutoscaled_HasNoDecisions()
    {
        var reconciler = Reconciler(autoscaling: null);

        Assert.False(reconciler.SetAutoscaledTarget(3, "ignored", []));
        Assert.Empty(reconciler.Status().RecentScalingDecisions);
    }
}
