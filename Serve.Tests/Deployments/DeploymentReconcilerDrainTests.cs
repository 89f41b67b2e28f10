using Microsoft.Extensions.Time.Testing;
using Serve.Deployments;
using Serve.Grains;
using Serve.Placement;

namespace Serve.Tests.Deployments;

/// <summary>
/// A deployment that ran at its target, in a cluster that can grow (Redis mode), whose replicas on a silo that stops
/// gracefully fit on no other silo: during the drain and once the silo is gone it serves fewer than it did, which is
/// UNHEALTHY, not an update under way (UPDATING made its application DEPLOYING after a planned stop). The activation that
/// takes over from the stopped silo (deployment grains run on workers too) knows it from the stored state.
/// </summary>
public sealed class DeploymentReconcilerDrainTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static DeploymentSpec Spec() => new()
    {
        Application = "app",
        TypeName = "Model",
        Arguments = [],
        CodeVersion = "v1",
        Options = new DeploymentOptions { Name = "Model", NumReplicas = 2, MaxReplicasPerSilo = 1 },
    };

    private static SiloMember Silo(string name, SiloCondition condition = SiloCondition.Active) => new(name, condition, SiloCapacity.Undeclared);

    private DeploymentReconciler Reconciler(DeploymentGrainState state) => new("app/Model", state, _time, new Random(7), waitsForSilos: true);

    /// <summary>Carries out every command as if each replica call succeeded, until the reconciler asks for nothing more.</summary>
    private static void Settle(DeploymentReconciler reconciler)
    {
        for (var commands = reconciler.TakeCommands(); commands.Count > 0; commands = reconciler.TakeCommands())
        {
            foreach (var command in commands)
            {
                switch (command.Kind)
                {
                    case ReplicaCommandKind.Start:
                        reconciler.BeginStartAttempt(command.Replica);
                        reconciler.OnStarted(command.Replica, command.Replica.Silo!);
                        break;
                    case ReplicaCommandKind.Stop:
                        reconciler.OnStopped(command.Replica);
                        break;
                    case ReplicaCommandKind.CheckHealth:
                        reconciler.OnHealthCheckPassed(command.Replica);
                        break;
                }
            }
        }
    }

    private DeploymentReconciler Running(DeploymentGrainState state)
    {
        var reconciler = Reconciler(state);
        reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        reconciler.Accept(Spec());
        reconciler.Apply();
        Settle(reconciler);
        Assert.Equal(DeploymentState.Healthy, reconciler.Status().State);
        return reconciler;
    }

    [Fact]
    public void Drain_NoRoomElsewhereInAClusterThatCanGrow_UnhealthyWhileItStopsAndOnceItIsGone()
    {
        var reconciler = Running(new DeploymentGrainState());

        reconciler.Drain("b");
        Settle(reconciler);
        var draining = reconciler.Status();
        reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);
        Settle(reconciler);
        var gone = reconciler.Status();

        Assert.Equal(DeploymentState.Unhealthy, draining.State);
        Assert.True(reconciler.State.ShrankWithSilo);
        Assert.Equal((DeploymentState.Unhealthy, 1, 2), (gone.State, gone.RunningReplicas, gone.TargetReplicas));
        Assert.Contains("1 of 2 replica(s) stopped with their silo, fitting on no other, and their replacements wait for a silo with room", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Activate_AfterTheDrainedSiloTookTheGrainWithIt_UnhealthyNotUpdating()
    {
        var state = new DeploymentGrainState();
        var before = Running(state);
        before.Drain("b");
        Settle(before);

        // The grain ran on the stopping silo: another activation takes over from the stored state.
        var after = Reconciler(state);
        after.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);
        after.Activate();
        Settle(after);

        var status = after.Status();
        Assert.Equal((DeploymentState.Unhealthy, 1, 2), (status.State, status.RunningReplicas, status.TargetReplicas));
        Assert.True(after.ReplacementsWaitForSilo);
    }

    [Fact]
    public void OnSilosChanged_ASiloWithRoomJoinsAfterTheShrink_HealthyAgainAndTheShrinkForgotten()
    {
        var reconciler = Running(new DeploymentGrainState());
        reconciler.Drain("b");
        Settle(reconciler);
        reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);
        Settle(reconciler);

        reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead), Silo("c")]);
        Settle(reconciler);

        Assert.Equal(DeploymentState.Healthy, reconciler.Status().State);
        Assert.False(reconciler.State.ShrankWithSilo);
    }

    [Fact]
    public void Drain_EverySiloStopping_NotRecordedAsAShrinkOfARunningCluster()
    {
        var reconciler = Running(new DeploymentGrainState());
        // Both silos stop at once (docker compose down): the other's drain is learnt from its ledger.
        reconciler.OnLedgerRead("b", [], stopping: true);

        reconciler.Drain("a");
        Settle(reconciler);

        Assert.True(reconciler.ClusterStopping);
        Assert.False(reconciler.State.ShrankWithSilo);
    }
}
