using Microsoft.Extensions.Time.Testing;
using Serve.Deployments;
using Serve.Grains;
using Serve.Placement;

namespace Serve.Tests.Deployments;

/// <summary>
/// A deployment that gave up starting its replicas, tried again because a silo joined: it goes to a silo where its code
/// has not failed, says why it was retried, and does nothing when there is no such silo.
/// </summary>
public sealed class DeploymentReconcilerRetryTests
{
    private const string Error = "System.InvalidOperationException: model file missing (at MyApp.Model..ctor in Model.cs:line 7)";
    private const string Joined = "silo b joined the cluster";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly DeploymentReconciler _reconciler;

    public DeploymentReconcilerRetryTests() =>
        _reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7), waitsForSilos: true);

    private static DeploymentSpec Spec(int replicas = 1, string? userConfig = null) => new()
    {
        Application = "app",
        TypeName = "Model",
        Arguments = [],
        CodeVersion = "v1",
        Options = new DeploymentOptions { Name = "Model", NumReplicas = replicas, UserConfig = userConfig, MaxConstructorRetryCount = 2 },
    };

    private static SiloMember Silo(string name) => new(name, SiloCondition.Active, SiloCapacity.Undeclared);

    private ReplicaCommand Start() => Assert.Single(_reconciler.TakeCommands(), c => c.Kind == ReplicaCommandKind.Start);

    /// <summary>Fails the replica's start MaxConstructorRetryCount (2) times: the deployment gives up.</summary>
    private void FailToStart(ReplicaRecord replica)
    {
        _reconciler.BeginStartAttempt(replica);
        Assert.True(_reconciler.ShouldRetryStart(replica, Error));
        Assert.False(_reconciler.ShouldRetryStart(replica, Error));
        _reconciler.OnStartFailed(replica, StartFailure.Constructor);
    }

    /// <summary>A deployment of one replica whose start failed on silo a, the only one.</summary>
    private void FailedOnA()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        _reconciler.Accept(Spec());
        _reconciler.Apply();
        var replica = Start().Replica;
        Assert.Equal("a", replica.Silo);
        FailToStart(replica);
        Assert.Equal(DeploymentState.DeployFailed, _reconciler.Status().State);
    }

    [Fact]
    public void ShouldRetryStart_GivesUpInAClusterThatCanGrow_MessageSaysASiloThatJoinsRetriesIt()
    {
        FailedOnA();

        Assert.Equal(
            $"Deployment 'Model' gave up after 2 failed replica start(s) (MaxConstructorRetryCount). Last error: {Error}. "
            + "It is retried when a silo joins the cluster; or fix it and apply the config again (serve deploy).",
            _reconciler.Status().Message);
    }

    [Fact]
    public void RetryFailedStart_SiloJoined_ReplicaStartsThereNotWhereItFailedAndStatusSaysWhy()
    {
        FailedOnA();
        // The silo joins: the deployment alone does not start anything (the controller decides when to retry).
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Assert.Empty(_reconciler.TakeCommands());
        Assert.Equal(DeploymentState.DeployFailed, _reconciler.Status().State);

        Assert.True(_reconciler.RetryFailedStart(Joined));

        var replica = Start().Replica;
        Assert.Equal("b", replica.Silo);
        var retrying = _reconciler.Status();
        Assert.Equal(DeploymentState.Updating, retrying.State);
        Assert.Equal($"Deployment 'Model' is retried because {Joined}; it had failed: {Error}.", retrying.Message);
        _reconciler.BeginStartAttempt(replica);
        _reconciler.OnStarted(replica, "b");
        Assert.Equal(DeploymentState.Healthy, _reconciler.Status().State);
    }

    [Fact]
    public void RetryFailedStart_FailsOnTheJoinedSiloToo_DeployFailedSayingItWasRetriedAndNotRetriedAgain()
    {
        FailedOnA();
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Assert.True(_reconciler.RetryFailedStart(Joined));
        var replica = Start().Replica;

        _reconciler.BeginStartAttempt(replica);
        Assert.True(_reconciler.ShouldRetryStart(replica, Error));
        Assert.Equal($"Replica of 'Model' failed to start, retrying (retried because {Joined}): {Error}", _reconciler.Status().Message);
        Assert.False(_reconciler.ShouldRetryStart(replica, Error));
        _reconciler.OnStartFailed(replica, StartFailure.Constructor);

        var status = _reconciler.Status();
        Assert.Equal(DeploymentState.DeployFailed, status.State);
        Assert.Contains($"It had been retried because {Joined}.", status.Message, StringComparison.Ordinal);
        // Its code failed on every silo there is: asked again, it does nothing (no loop of failing starts).
        Assert.False(_reconciler.RetryFailedStart(Joined));
        Assert.Empty(_reconciler.TakeCommands());
        Assert.Equal(DeploymentState.DeployFailed, _reconciler.Status().State);
    }

    [Fact]
    public void RetryFailedStart_NoSiloJoined_NothingStarted()
    {
        FailedOnA();

        Assert.False(_reconciler.RetryFailedStart(Joined));

        Assert.Empty(_reconciler.TakeCommands());
        Assert.Equal(DeploymentState.DeployFailed, _reconciler.Status().State);
    }

    [Fact]
    public void RetryFailedStart_ConfigRefusedByRunningInstances_NotRetried()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        _reconciler.Accept(Spec(userConfig: """{"greeting":"Hello"}"""));
        _reconciler.Apply();
        var replica = Start().Replica;
        _reconciler.BeginStartAttempt(replica);
        _reconciler.OnStarted(replica, "a");
        _reconciler.Accept(Spec(userConfig: """{"greeting":null}"""));
        _reconciler.Apply();
        var reconfigure = Assert.Single(_reconciler.TakeCommands(), c => c.Kind == ReplicaCommandKind.Reconfigure);
        _reconciler.OnReconfigureFailed(reconfigure.Replica, _reconciler.State.Revision, "greeting must be a string");
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);

        Assert.False(_reconciler.RetryFailedStart(Joined));

        Assert.Equal(DeploymentState.DeployFailed, _reconciler.Status().State);
        Assert.Contains("greeting must be a string", _reconciler.Status().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_SameSpecAgainAfterTheRetryFailed_NoLongerSaysItWasRetried()
    {
        FailedOnA();
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        _reconciler.RetryFailedStart(Joined);
        FailToStart(Start().Replica);

        // serve deploy of the same config: a new attempt, on the silo that failed least recently as any other.
        _reconciler.Accept(Spec());
        _reconciler.Apply();
        FailToStart(Start().Replica);

        Assert.DoesNotContain("retried because", _reconciler.Status().Message, StringComparison.Ordinal);
    }
}
