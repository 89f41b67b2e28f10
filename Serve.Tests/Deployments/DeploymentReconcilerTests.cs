using Microsoft.Extensions.Time.Testing;
using Serve.Deployments;
using Serve.Grains;
using Serve.Placement;

namespace Serve.Tests.Deployments;

/// <summary>The deployment's decisions without a grain: events in, commands out, on a fake clock.</summary>
public sealed class DeploymentReconcilerTests
{
    private static readonly SiloCapacity Unlimited = SiloCapacity.Undeclared;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly DeploymentReconciler _reconciler;

    public DeploymentReconcilerTests() => _reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7));

    private static DeploymentSpec Spec(int replicas = 2, string code = "v1", string? userConfig = null, int maxConstructorRetries = 3) => new()
    {
        Application = "app",
        TypeName = "Model",
        Arguments = [],
        CodeVersion = code,
        Options = new DeploymentOptions { Name = "Model", NumReplicas = replicas, UserConfig = userConfig, MaxConstructorRetryCount = maxConstructorRetries },
    };

    private static SiloMember Silo(string name, SiloCondition condition = SiloCondition.Active) => new(name, condition, Unlimited);

    private void Apply(DeploymentSpec spec)
    {
        _reconciler.Accept(spec);
        _reconciler.Apply();
    }

    private IReadOnlyList<ReplicaCommand> Commands(ReplicaCommandKind kind) => _reconciler.TakeCommands().Where(c => c.Kind == kind).ToList();

    /// <summary>Starts every replica the reconciler asked for, on the silo it chose, and drops the other commands.</summary>
    private void StartAll()
    {
        for (var starts = Commands(ReplicaCommandKind.Start); starts.Count > 0; starts = Commands(ReplicaCommandKind.Start))
        {
            foreach (var start in starts)
            {
                _reconciler.BeginStartAttempt(start.Replica);
                _reconciler.OnStarted(start.Replica, start.Replica.Silo!);
            }
        }
    }

    /// <summary>Carries out every command as if each replica call succeeded, until the reconciler asks for nothing more.</summary>
    private void Settle()
    {
        for (var commands = _reconciler.TakeCommands(); commands.Count > 0; commands = _reconciler.TakeCommands())
        {
            foreach (var command in commands)
            {
                var replica = command.Replica;
                switch (command.Kind)
                {
                    case ReplicaCommandKind.Start:
                        _reconciler.BeginStartAttempt(replica);
                        _reconciler.OnStarted(replica, replica.Silo!);
                        break;
                    case ReplicaCommandKind.Stop:
                        _reconciler.OnStopped(replica);
                        break;
                    case ReplicaCommandKind.AbandonStart:
                        _reconciler.OnStartAbandoned(replica);
                        break;
                    case ReplicaCommandKind.Reconfigure:
                        _reconciler.OnReconfigured(replica, _reconciler.State.Revision);
                        break;
                    case ReplicaCommandKind.CheckHealth:
                        _reconciler.OnHealthCheckPassed(replica);
                        break;
                }
            }
        }
    }

    private Dictionary<string, int> PerSilo() =>
        _reconciler.Replicas.Where(r => r.State != ReplicaState.Stopping).GroupBy(r => r.Silo!).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Apply_NewSpec_StartsTargetSpreadOverActiveSilos()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b"), Silo("gone", SiloCondition.Dead), Silo("leaving", SiloCondition.Leaving)]);

        Apply(Spec(replicas: 4));

        var starts = Commands(ReplicaCommandKind.Start);
        Assert.Equal(4, starts.Count);
        Assert.Equal(["a", "a", "b", "b"], starts.Select(s => s.Replica.Silo!).Order());
        Assert.Equal(4, _reconciler.StartingReplicas);
        Assert.Equal(DeploymentState.Updating, _reconciler.Status().State);
    }

    [Fact]
    public void Place_SuspectedSilo_NeverChosenAndWaitsWhileItIsTheOnlyOne()
    {
        _reconciler.OnSilosChanged([Silo("trusted"), Silo("suspected", SiloCondition.Suspected)]);
        Apply(Spec(replicas: 4));

        Assert.All(Commands(ReplicaCommandKind.Start), s => Assert.Equal("trusted", s.Replica.Silo));

        var other = new DeploymentReconciler("app/Other", new DeploymentGrainState(), _time, new Random(7));
        other.OnSilosChanged([Silo("suspected", SiloCondition.Suspected)]);
        other.Accept(Spec());
        other.Apply();

        Assert.Empty(other.TakeCommands());
        // Waiting, not failed: requests wait for the suspicion to clear (or the silo to be declared dead).
        Assert.Equal(DeploymentState.Updating, other.Status().State);
        Assert.Equal(2, other.StartingReplicas);
        Assert.NotNull(other.NextWake);
    }

    [Fact]
    public void OnStartFailed_SiloUnreachable_NextReplicaGoesElsewhereUntilTheSuspicionRunsOut()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        var starts = Commands(ReplicaCommandKind.Start);
        var onA = starts.Single(s => s.Replica.Silo == "a").Replica;

        _reconciler.OnStartFailed(onA, StartFailure.Unreachable);

        Assert.Equal("b", Assert.Single(Commands(ReplicaCommandKind.Start)).Replica.Silo);
        Assert.Equal(_time.GetUtcNow() + DeploymentReconciler.UnreachableFor, _reconciler.NextWake);

        _time.Advance(DeploymentReconciler.UnreachableFor);
        _reconciler.OnWake();

        Assert.Null(_reconciler.NextWake);
    }

    [Fact]
    public void ShouldRetryStart_ConstructorKeepsFailing_DeployFailedAfterTheLimitAndNothingStarting()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, maxConstructorRetries: 3));
        var starts = Commands(ReplicaCommandKind.Start);
        var (first, second) = (starts[0].Replica, starts[1].Replica);

        Assert.True(_reconciler.ShouldRetryStart(first, "no weights"));
        Assert.True(_reconciler.ShouldRetryStart(second, "no weights"));
        Assert.False(_reconciler.ShouldRetryStart(first, "no weights"));

        // The other start gives up too.
        Assert.Equal(second, Assert.Single(Commands(ReplicaCommandKind.AbandonStart)).Replica);
        _reconciler.OnStartFailed(first, StartFailure.Constructor);
        _reconciler.OnStartAbandoned(second);
        var status = _reconciler.Status();
        Assert.Equal(DeploymentState.DeployFailed, status.State);
        Assert.Contains("gave up after 3 failed replica start(s)", status.Message);
        Assert.Contains("no weights", status.Message);
        Assert.Equal(0, _reconciler.StartingReplicas);
        Assert.Empty(_reconciler.TakeCommands());
    }

    [Fact]
    public void ShouldRetryStart_SameFailureRepeating_DeployFailedBeforeTheLimitNamingIt()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1, maxConstructorRetries: 20));
        var replica = Commands(ReplicaCommandKind.Start)[0].Replica;
        const string error = "System.InvalidOperationException: MODEL_HOME is not set (at MyApp.Model..ctor in Model.cs:line 7)";

        Assert.True(_reconciler.ShouldRetryStart(replica, error));
        var retrying = _reconciler.Status();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_reconciler.ShouldRetryStart(replica, error));
        // Printed once by serve run: the words stay the same while the failure repeats.
        Assert.Equal(retrying.Message, _reconciler.Status().Message);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_reconciler.ShouldRetryStart(replica, error));

        _reconciler.OnStartFailed(replica, StartFailure.Constructor);
        var status = _reconciler.Status();
        Assert.Equal(DeploymentState.Updating, retrying.State);
        Assert.Equal($"Replica of 'Model' failed to start, retrying: {error}", retrying.Message);
        Assert.Equal(DeploymentState.DeployFailed, status.State);
        Assert.Equal($"Deployment 'Model' gave up after 3 failed replica start(s): the last 3 failed the same way over 2.0 s, so it is not retried up to MaxConstructorRetryCount (20). Error: {error}.", status.Message);
    }

    [Fact]
    public void ShouldRetryStart_SameFailureRepeatingInAClusterThatCanGrow_RetriedUpToTheLimit()
    {
        var reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7), waitsForSilos: true);
        reconciler.OnSilosChanged([Silo("a")]);
        reconciler.Accept(Spec(replicas: 1, maxConstructorRetries: 5));
        reconciler.Apply();
        var replica = reconciler.TakeCommands().Single(c => c.Kind == ReplicaCommandKind.Start).Replica;
        const string error = "System.Net.Http.HttpRequestException: Connection refused (model-store:9000) (at MyApp.Model..ctor in Model.cs:line 9)";

        // The same failure for 4 s, as a model store still starting with the cluster: retried, to the count.
        var retried = Enumerable.Range(0, 4).Select(_ =>
        {
            var retry = reconciler.ShouldRetryStart(replica, error);
            _time.Advance(TimeSpan.FromSeconds(1));
            return retry;
        }).ToList();
        var last = reconciler.ShouldRetryStart(replica, error);

        Assert.Equal([true, true, true, true], retried);
        Assert.False(last);
        reconciler.OnStartFailed(replica, StartFailure.Constructor);
        Assert.Equal(
            $"Deployment 'Model' gave up after 5 failed replica start(s) (MaxConstructorRetryCount). Last error: {error}. "
            + "It is retried when a silo joins the cluster; or fix it and apply the config again (serve deploy).",
            reconciler.Status().Message);
    }

    [Fact]
    public void ShouldRetryStart_SuccessInBetween_CountStartsOver()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, maxConstructorRetries: 2));
        var starts = Commands(ReplicaCommandKind.Start);

        Assert.True(_reconciler.ShouldRetryStart(starts[0].Replica, "flaky"));
        _reconciler.OnStarted(starts[1].Replica, "a");

        Assert.True(_reconciler.ShouldRetryStart(starts[0].Replica, "flaky"));
    }

    [Fact]
    public void Apply_NewCode_RollsOutOneBatchAtATimeAndStopsOldOneForOne()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 5, code: "v1"));
        StartAll();

        Apply(Spec(replicas: 5, code: "v2"));

        // max(20% of 5, 1) = 1 new replica at a time, none of the old stopped before it serves.
        var start = Assert.Single(_reconciler.TakeCommands());
        Assert.Equal((ReplicaCommandKind.Start, "v2"), (start.Kind, start.Replica.CodeVersion));
        _reconciler.OnStarted(start.Replica, "a");

        var next = _reconciler.TakeCommands();
        Assert.Single(next, c => c.Kind == ReplicaCommandKind.Stop && c.Replica.CodeVersion == "v1");
        Assert.Single(next, c => c.Kind == ReplicaCommandKind.Start && c.Replica.CodeVersion == "v2");
    }

    /// <summary>Two replicas of v1 running, then v2 applied, whose first replica's constructor fails for good.</summary>
    private void FailSecondVersionsStart()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, code: "v1", maxConstructorRetries: 1));
        StartAll();

        Apply(Spec(replicas: 2, code: "v2", maxConstructorRetries: 1));
        var start = Assert.Single(Commands(ReplicaCommandKind.Start));
        Assert.False(_reconciler.ShouldRetryStart(start.Replica, "corrupt"));
        _reconciler.OnStartFailed(start.Replica, StartFailure.Constructor);
    }

    [Fact]
    public void Apply_NewCodeFailsToStart_OldVersionKeepsServing()
    {
        FailSecondVersionsStart();

        Assert.Equal(2, _reconciler.RunningReplicas.Count);
        Assert.Contains("previous version keeps serving on 2 replica(s)", _reconciler.Status().Message);
        Assert.Empty(_reconciler.TakeCommands());
    }

    [Fact]
    public void Status_NewCodeFailedToStart_CountsThePreviousVersionStillServing()
    {
        FailSecondVersionsStart();

        // Not "0 of 2 running": the new version runs on none, and the previous one still serves on both.
        var status = _reconciler.Status();
        Assert.Equal(DeploymentState.DeployFailed, status.State);
        Assert.Equal((0, 2, 2), (status.RunningReplicas, status.PreviousVersionReplicas, status.TargetReplicas));
    }

    [Fact]
    public void Status_RollingOut_CountsEachVersionUntilThePreviousOneIsGone()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, code: "v1"));
        Settle();
        Assert.Equal((2, 0), (_reconciler.Status().RunningReplicas, _reconciler.Status().PreviousVersionReplicas));

        Apply(Spec(replicas: 2, code: "v2"));
        var start = Assert.Single(Commands(ReplicaCommandKind.Start));
        _reconciler.BeginStartAttempt(start.Replica);
        _reconciler.OnStarted(start.Replica, "a");
        // One new serves, so one old stops: one of each serves.
        Assert.Equal((1, 1), (_reconciler.Status().RunningReplicas, _reconciler.Status().PreviousVersionReplicas));

        Settle();
        Assert.Equal((2, 0), (_reconciler.Status().RunningReplicas, _reconciler.Status().PreviousVersionReplicas));
    }

    [Fact]
    public void Apply_NewCodeWhileTheSiloIsFull_OneOldReplicaMakesRoomAtATimeUntilRolledOut()
    {
        _reconciler.OnSilosChanged([new SiloMember("a", SiloCondition.Active, new SiloCapacity { NumCpus = 2 })]);
        Apply(Spec(replicas: 2, code: "v1"));
        Settle();

        Apply(Spec(replicas: 2, code: "v2"));

        // No room beside the old version: one of its replicas stops first, and the deployment waits for the room.
        var stop = Assert.Single(_reconciler.TakeCommands());
        Assert.Equal((ReplicaCommandKind.Stop, "v1"), (stop.Kind, stop.Replica.CodeVersion));
        var making = _reconciler.Status();
        Assert.Equal(DeploymentState.Updating, making.State);
        Assert.EndsWith("replica(s) wait to be placed: needs 1 CPU(s), the largest free is 0 on a; the update makes room by stopping old replicas one at a time.",
            making.Message, StringComparison.Ordinal);
        _reconciler.OnStopped(stop.Replica);
        var start = Assert.Single(_reconciler.TakeCommands());
        Assert.Equal((ReplicaCommandKind.Start, "v2"), (start.Kind, start.Replica.CodeVersion));
        _reconciler.BeginStartAttempt(start.Replica);
        _reconciler.OnStarted(start.Replica, "a");
        // Then the other old one, once the new one serves.
        var second = Assert.Single(_reconciler.TakeCommands());
        Assert.Equal((ReplicaCommandKind.Stop, "v1"), (second.Kind, second.Replica.CodeVersion));
        _reconciler.OnStopped(second.Replica);
        Settle();

        var status = _reconciler.Status();
        Assert.Equal((DeploymentState.Healthy, 2, 0, 2), (status.State, status.RunningReplicas, status.PreviousVersionReplicas, status.Replicas.Count));
    }

    [Fact]
    public void Apply_NewCodeNeedsMoreThanAFreedPlace_OldVersionKeepsEveryReplicaAndDeployFailed()
    {
        _reconciler.OnSilosChanged([new SiloMember("a", SiloCondition.Active, new SiloCapacity { NumCpus = 2 })]);
        Apply(Spec(replicas: 2, code: "v1"));
        Settle();

        Apply(Spec(replicas: 2, code: "v2") with { Options = Spec().Options with { Resources = new ReplicaResources { NumCpus = 3 } } });

        Assert.Empty(_reconciler.TakeCommands());
        var status = _reconciler.Status();
        Assert.Equal((DeploymentState.DeployFailed, 0, 2), (status.State, status.RunningReplicas, status.PreviousVersionReplicas));
        Assert.Contains("cannot be placed", status.Message);
    }

    [Fact]
    public void Status_NoSiloHostsReplicasInAClusterThatCanGrow_UpdatingUntilAWorkerJoinsThenStarts()
    {
        var (reconciler, gateway) = TwoReplicasOnAGatewayAlone();

        Assert.Empty(reconciler.TakeCommands());
        var waiting = reconciler.Status();
        Assert.Equal(DeploymentState.Updating, waiting.State);
        Assert.Contains("2 of 2 replica(s) wait for a silo with room", waiting.Message, StringComparison.Ordinal);
        Assert.EndsWith("They start as soon as a silo that hosts replicas joins.", waiting.Message, StringComparison.Ordinal);
        Assert.True(reconciler.WaitingForSilo);
        Assert.False(reconciler.Unplaceable);
        // Nothing is on its way until a silo joins: routers answer at once rather than hold requests.
        Assert.Equal(0, reconciler.StartingReplicas);

        reconciler.OnSilosChanged([gateway, Silo("worker")]);

        var starts = reconciler.TakeCommands().Where(c => c.Kind == ReplicaCommandKind.Start).ToList();
        Assert.Equal(["worker", "worker"], starts.Select(c => c.Replica.Silo));
        Assert.False(reconciler.WaitingForSilo);
    }

    /// <summary>A cluster that can grow, of one silo that hosts no replicas, asked for two replicas: they wait for a worker.</summary>
    private (DeploymentReconciler Reconciler, SiloMember Gateway) TwoReplicasOnAGatewayAlone()
    {
        var reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7), waitsForSilos: true);
        var gateway = new SiloMember("gateway", SiloCondition.Active, new SiloCapacity { HostsReplicas = false });
        reconciler.OnSilosChanged([gateway]);
        reconciler.Accept(Spec(replicas: 2));
        reconciler.Apply();
        return (reconciler, gateway);
    }

    [Fact]
    public void OnSilosChanged_WorkerJoinsBeforeTheManifestListsIt_WaitsThenStartsThereOnceListed()
    {
        var (reconciler, gateway) = TwoReplicasOnAGatewayAlone();
        Assert.Empty(reconciler.TakeCommands());

        reconciler.OnSilosChanged([gateway, Silo("worker") with { InManifest = false }]);

        // Orleans would refuse the replica there: nothing starts, both are on their way (routers hold requests), and
        // it looks again shortly.
        Assert.Empty(reconciler.TakeCommands());
        Assert.Equal(DeploymentState.Updating, reconciler.Status().State);
        Assert.False(reconciler.WaitingForSilo);
        Assert.Equal(2, reconciler.StartingReplicas);
        Assert.Equal(_time.GetUtcNow() + DeploymentReconciler.PlacementWaitingRetry, reconciler.NextWake);

        reconciler.OnSilosChanged([gateway, Silo("worker")]);

        var starts = reconciler.TakeCommands().Where(c => c.Kind == ReplicaCommandKind.Start).ToList();
        Assert.Equal(["worker", "worker"], starts.Select(c => c.Replica.Silo));
    }

    [Fact]
    public void Status_ReplicasLostAfterRunningInFullAndReplacementsWaitForRoom_UnhealthySayingSo()
    {
        var reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7), waitsForSilos: true);
        SiloMember Worker(string name, SiloCondition condition = SiloCondition.Active) => new(name, condition, new SiloCapacity { NumCpus = 1 });
        reconciler.OnSilosChanged([Worker("a"), Worker("b")]);
        reconciler.Accept(Spec(replicas: 2));
        reconciler.Apply();
        foreach (var start in reconciler.TakeCommands().Where(c => c.Kind == ReplicaCommandKind.Start))
        {
            reconciler.BeginStartAttempt(start.Replica);
            reconciler.OnStarted(start.Replica, start.Replica.Silo!);
        }
        Assert.Equal(DeploymentState.Healthy, reconciler.Status().State);

        reconciler.OnSilosChanged([Worker("a"), Worker("b", SiloCondition.Dead)]);

        var status = reconciler.Status();
        Assert.Equal(DeploymentState.Unhealthy, status.State);
        Assert.StartsWith("1 of 2 replica(s) were lost and their replacements wait for a silo with room: needs 1 CPU(s), the largest free is 0 on a.", status.Message, StringComparison.Ordinal);
        Assert.True(reconciler.ReplacementsWaitForSilo);

        reconciler.OnSilosChanged([Worker("a"), Worker("b", SiloCondition.Dead), Worker("c")]);

        var start2 = Assert.Single(reconciler.TakeCommands(), c => c.Kind == ReplicaCommandKind.Start);
        Assert.Equal("c", start2.Replica.Silo);
        Assert.Equal(DeploymentState.Updating, reconciler.Status().State);
    }

    [Fact]
    public void Status_FirstDeployWaitsForRoomInAClusterThatCanGrow_StaysUpdating()
    {
        var reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7), waitsForSilos: true);
        reconciler.OnSilosChanged([new SiloMember("a", SiloCondition.Active, new SiloCapacity { NumCpus = 1 })]);
        reconciler.Accept(Spec(replicas: 2));
        reconciler.Apply();
        foreach (var start in reconciler.TakeCommands().Where(c => c.Kind == ReplicaCommandKind.Start))
        {
            reconciler.BeginStartAttempt(start.Replica);
            reconciler.OnStarted(start.Replica, start.Replica.Silo!);
        }

        var status = reconciler.Status();
        Assert.Equal(DeploymentState.Updating, status.State);
        Assert.StartsWith("1 of 2 replica(s) wait for a silo with room", status.Message, StringComparison.Ordinal);
        Assert.False(reconciler.ReplacementsWaitForSilo);
    }

    [Theory]
    [InlineData("manifest", "the silo(s) with room just joined and are not yet known to host replicas here (worker not in the cluster manifest yet)")]
    [InlineData("capacity", "the capacity of worker is not known yet")]
    [InlineData("suspected", "the silo(s) with room are suspected or unreachable (worker)")]
    public void Status_OnlySiloWithRoomNotUsableYet_UpdatingNamingWhatPlacementWaitsFor(string why, string reason)
    {
        var reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7), waitsForSilos: true);
        var gateway = new SiloMember("gateway", SiloCondition.Active, new SiloCapacity { HostsReplicas = false });
        var worker = why switch
        {
            "manifest" => Silo("worker") with { InManifest = false },
            "capacity" => new SiloMember("worker", SiloCondition.Active, Capacity: null),
            _ => Silo("worker", SiloCondition.Suspected),
        };
        reconciler.OnSilosChanged([gateway, worker]);

        reconciler.Accept(Spec(replicas: 2));
        reconciler.Apply();

        Assert.Empty(reconciler.TakeCommands());
        var status = reconciler.Status();
        Assert.Equal(DeploymentState.Updating, status.State);
        Assert.Equal($"2 of 2 replica(s) wait to be placed: {reason}.", status.Message);
    }

    [Fact]
    public void Status_PlacementWaitsAfterReplicasWereLost_BothSaid()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        Settle();

        _reconciler.OnSilosChanged([Silo("a", SiloCondition.Dead), Silo("b", SiloCondition.Suspected)]);

        Assert.Equal("1 replica(s) were lost with silo(s) a and are being replaced. 1 of 2 replica(s) wait to be placed: "
            + "the silo(s) with room are suspected or unreachable (b).", _reconciler.Status().Message);
    }

    [Fact]
    public void Status_UpscaleBeyondTheSilosInAClusterThatCanGrow_UpscalingSaysItWaitsForASilo()
    {
        var reconciler = new DeploymentReconciler("app/Model", new DeploymentGrainState(), _time, new Random(7), waitsForSilos: true);
        reconciler.OnSilosChanged([new SiloMember("worker", SiloCondition.Active, new SiloCapacity { NumCpus = 2 })]);
        var spec = Spec();
        reconciler.Accept(spec with { Options = spec.Options with { Autoscaling = new AutoscalingConfig { MinReplicas = 1, MaxReplicas = 8, InitialReplicas = 2 } } });
        reconciler.Apply();
        foreach (var start in reconciler.TakeCommands().Where(c => c.Kind == ReplicaCommandKind.Start))
        {
            reconciler.BeginStartAttempt(start.Replica);
            reconciler.OnStarted(start.Replica, start.Replica.Silo!);
        }

        reconciler.SetAutoscaledTarget(4, "load 8 over 2 replicas", []);

        var status = reconciler.Status();
        Assert.Equal(DeploymentState.Upscaling, status.State);
        Assert.Contains("2 of 4 replica(s) wait for a silo with room: needs 1 CPU(s), the largest free is 0 on worker", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_NoSiloHostsReplicasInAnEmbeddedCluster_DeployFailedAtOnce()
    {
        _reconciler.OnSilosChanged([new SiloMember("gateway", SiloCondition.Active, new SiloCapacity { HostsReplicas = false })]);
        Apply(Spec(replicas: 2));

        var status = _reconciler.Status();
        Assert.Equal(DeploymentState.DeployFailed, status.State);
        Assert.Contains("2 of 2 replica(s) cannot be placed", status.Message, StringComparison.Ordinal);
        Assert.False(_reconciler.WaitingForSilo);
    }

    [Fact]
    public void OnReconfigureFailed_NewUserConfigRefused_ReplicasKeepServingAndStatusSaysWhy()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, userConfig: """{"greeting":"Hello"}"""));
        StartAll();

        Apply(Spec(replicas: 2, userConfig: """{"greeting":null}"""));
        var reconfigures = Commands(ReplicaCommandKind.Reconfigure);
        Assert.Equal(2, reconfigures.Count);
        foreach (var reconfigure in reconfigures)
        {
            _reconciler.OnReconfigureFailed(reconfigure.Replica, _reconciler.State.Revision, "greeting must be a string");
        }

        var status = _reconciler.Status();
        Assert.Equal(DeploymentState.DeployFailed, status.State);
        Assert.Contains("greeting must be a string", status.Message);
        Assert.Contains("previous config keeps serving on 2 replica(s)", status.Message);
        Assert.Equal(2, _reconciler.RunningReplicas.Count);
        Assert.Empty(_reconciler.TakeCommands());

        // The same spec again from the controller's periodic reconcile does not retry it; a fixed one does.
        Assert.False(_reconciler.IsChange(Spec(replicas: 2, userConfig: """{"greeting":null}"""), retryFailed: false));
        Apply(Spec(replicas: 2, userConfig: """{"greeting":"Hi"}"""));
        Assert.Equal(2, Commands(ReplicaCommandKind.Reconfigure).Count);
    }

    [Fact]
    public void Apply_UserConfigRemoved_ReplicasReplacedNewOnesBeforeOldOnesStop()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, userConfig: """{"greeting":"Hello"}"""));
        StartAll();
        var configured = _reconciler.Replicas.Select(r => r.Id).ToList();

        Apply(Spec(replicas: 2, userConfig: null));

        // The running instances cannot be told their config is gone: new ones start, and none is reconfigured in place.
        var commands = _reconciler.TakeCommands();
        Assert.Equal(2, commands.Count(c => c.Kind == ReplicaCommandKind.Start));
        Assert.DoesNotContain(commands, c => c.Kind == ReplicaCommandKind.Reconfigure);
        Assert.Equal(2, _reconciler.RunningReplicas.Count);
        foreach (var start in commands.Where(c => c.Kind == ReplicaCommandKind.Start))
        {
            _reconciler.BeginStartAttempt(start.Replica);
            _reconciler.OnStarted(start.Replica, start.Replica.Silo!);
        }
        Settle();
        Assert.Equal(2, _reconciler.Replicas.Count);
        Assert.DoesNotContain(_reconciler.Replicas, r => configured.Contains(r.Id));
        Assert.Equal(DeploymentState.Healthy, _reconciler.Status().State);
    }

    [Fact]
    public void Apply_UserConfigChanged_SameReplicasReconfiguredInPlace()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, userConfig: """{"v":1}"""));
        StartAll();
        var configured = _reconciler.Replicas.Select(r => r.Id).Order().ToList();

        Apply(Spec(replicas: 2, userConfig: """{"v":2}"""));
        Settle();

        Assert.Equal(configured, _reconciler.Replicas.Select(r => r.Id).Order());
    }

    [Fact]
    public void Status_NewUserConfigOnItsWay_UpdatingUntilEveryReplicaTookIt()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2, userConfig: """{"v":1}"""));
        Settle();

        Apply(Spec(replicas: 2, userConfig: """{"v":2}"""));

        Assert.Equal(DeploymentState.Updating, _reconciler.Status().State);
        Settle();
        Assert.Equal(DeploymentState.Healthy, _reconciler.Status().State);
    }

    [Fact]
    public void Apply_WhileAReplicaStarts_ItIsReconfiguredOnceRunning()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1, userConfig: """{"v":1}"""));
        var start = Assert.Single(Commands(ReplicaCommandKind.Start));
        _reconciler.BeginStartAttempt(start.Replica);

        Apply(Spec(replicas: 1, userConfig: """{"v":2}"""));
        _reconciler.OnStarted(start.Replica, "a");

        Assert.Equal(start.Replica, Assert.Single(Commands(ReplicaCommandKind.Reconfigure)).Replica);
    }

    [Fact]
    public void OnSilosChanged_SiloDead_ItsReplicasLostAndTheOthersCheckedAtOnce()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 4));
        StartAll();
        var onB = _reconciler.Replicas.Where(r => r.Silo == "b").Select(r => r.Id).ToList();

        _reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);

        Assert.Equal(onB.Order(), _reconciler.LostReplicas.Order());
        var commands = _reconciler.TakeCommands();
        Assert.Equal(2, commands.Count(c => c.Kind == ReplicaCommandKind.CheckHealth));
        Assert.All(commands.Where(c => c.Kind == ReplicaCommandKind.Start), c => Assert.Equal("a", c.Replica.Silo));
        Assert.Equal(2, commands.Count(c => c.Kind == ReplicaCommandKind.Start));
    }

    [Fact]
    public void OnSilosChanged_SiloDeadWhereAReplicaWasAlreadyStopping_ThatReplicaLostToo()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        StartAll();
        var onB = _reconciler.Replicas.Single(r => r.Silo == "b");
        // Its health check could not reach b before b was declared dead: replaced, so stopping when the death is seen.
        _reconciler.OnReportedUnreachable(onB.Id);
        _reconciler.OnHealthCheckFailed(onB, "the target silo became unavailable", unreachable: true);
        Assert.Equal(ReplicaState.Stopping, onB.State);

        _reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);

        Assert.Equal([onB.Id], _reconciler.LostReplicas);
    }

    [Fact]
    public void OnSilosChanged_FirstViewOfANewActivationHoldsSilosDeadLongAgo_MessageNamesOnlyTheSilosReplicasWereLostWith()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 4));
        StartAll();
        // The deployment's grain moves (its silo b died): the next activation's first view of the membership holds b, and
        // every silo that died in earlier incidents, which Orleans keeps in its table for days.
        var next = new DeploymentReconciler("app/Model", _reconciler.State, _time, new Random(7));
        next.Activate();

        next.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead), Silo("earlier-incident", SiloCondition.Dead)]);

        Assert.Equal("2 replica(s) were lost with silo(s) b and are being replaced.", next.Status().Message);
    }

    [Fact]
    public void TakeLostNotice_SiloDiesWithReplicas_TheSentenceOnceForTheIncident()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b"), Silo("c")]);
        Apply(Spec(replicas: 2));
        StartAll();
        // Two replicas on three silos: one silo at least runs none.
        var empty = new[] { "a", "b", "c" }.First(s => _reconciler.Replicas.All(r => r.Silo != s));
        var busy = _reconciler.Replicas.First().Silo!;
        var onBusy = _reconciler.Replicas.Count(r => r.Silo == busy);
        Assert.Null(_reconciler.TakeLostNotice());

        // A silo that ran none of its replicas costs this deployment nothing: no line.
        _reconciler.OnSilosChanged([.. new[] { "a", "b", "c" }.Select(s => Silo(s, s == empty ? SiloCondition.Dead : SiloCondition.Active))]);
        Assert.Null(_reconciler.TakeLostNotice());

        var dead = new[] { "a", "b", "c" }.Select(s => Silo(s, s == empty || s == busy ? SiloCondition.Dead : SiloCondition.Active)).ToArray();
        _reconciler.OnSilosChanged(dead);

        Assert.Equal($"{onBusy} replica(s) were lost with silo(s) {busy} and are being replaced.", _reconciler.TakeLostNotice());
        Assert.Null(_reconciler.TakeLostNotice());
        // The same view again (a refresh, a manifest update): the incident was told.
        _reconciler.OnSilosChanged(dead);
        Assert.Null(_reconciler.TakeLostNotice());
    }

    [Fact]
    public void OnFoundNotRunning_RunningReplica_ReplacedAtOnceAsLostNotUnhealthy()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2));
        StartAll();
        var replica = _reconciler.Replicas.First();
        _reconciler.OnHealthCheckDue();
        _reconciler.TakeCommands();

        Assert.True(_reconciler.OnFoundNotRunning(replica));

        var commands = _reconciler.TakeCommands();
        Assert.DoesNotContain(commands, c => c.Kind == ReplicaCommandKind.Stop);
        Assert.Single(commands, c => c.Kind == ReplicaCommandKind.Start);
        Assert.DoesNotContain(replica, _reconciler.Replicas);
        Assert.Contains(replica.Id, _reconciler.LostReplicas);
        var status = _reconciler.Status();
        Assert.NotEqual(DeploymentState.Unhealthy, status.State);
        Assert.Equal($"Replica {replica.Id} was not running (what ran it went with its silo, or with a restart of the cluster) and is being replaced.", status.Message);
    }

    [Fact]
    public void OnFoundNotRunning_ReplicaAlreadyLostWithItsSilo_NoNewsAndNothingMoreStarted()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        StartAll();
        var onB = _reconciler.Replicas.Single(r => r.Silo == "b");
        _reconciler.OnHealthCheckDue();
        _reconciler.TakeCommands();
        _reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);
        Assert.NotNull(_reconciler.TakeLostNotice());
        var replacements = _reconciler.TakeCommands().Count(c => c.Kind == ReplicaCommandKind.Start);

        var news = _reconciler.OnFoundNotRunning(onB);

        Assert.False(news);
        Assert.Equal(1, replacements);
        Assert.DoesNotContain(_reconciler.TakeCommands(), c => c.Kind == ReplicaCommandKind.Start);
    }

    [Fact]
    public void OnHealthCheckFailed_AnswerComesAfterTheReplicaWasLostWithItsSilo_NoNewsNothingStoppedAndTheLossStillSaid()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        StartAll();
        var onB = _reconciler.Replicas.Single(r => r.Silo == "b");
        // A router's call found b unreachable: its replica is checked at once, and b's death is declared while that check
        // waits for its answer (the target silo became unavailable).
        _reconciler.OnReportedUnreachable(onB.Id);
        Assert.Single(Commands(ReplicaCommandKind.CheckHealth), c => c.Replica == onB);
        _reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);
        var lost = _reconciler.TakeLostNotice();
        Assert.NotNull(lost);
        Assert.Single(Commands(ReplicaCommandKind.Start));

        var news = _reconciler.OnHealthCheckFailed(onB, "the target silo became unavailable", unreachable: true);

        Assert.False(news);
        // No stop of the lost replica: its grain would start afresh on a survivor just to be stopped, its "stopped" line
        // written by a silo it never ran on.
        var commands = _reconciler.TakeCommands();
        Assert.DoesNotContain(commands, c => c.Kind is ReplicaCommandKind.Stop or ReplicaCommandKind.Start);
        Assert.DoesNotContain(onB, _reconciler.Replicas);
        Assert.Equal(lost, _reconciler.Status().Message);
        Assert.NotEqual(DeploymentState.Unhealthy, _reconciler.Status().State);
    }

    [Fact]
    public void OnHealthCheckFailed_ReplicaStoppingForAScaleDown_NoNewsAndNotReplaced()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 2));
        StartAll();
        _reconciler.OnHealthCheckDue();
        var checks = Commands(ReplicaCommandKind.CheckHealth);
        Apply(Spec(replicas: 1));
        var stopping = Assert.Single(Commands(ReplicaCommandKind.Stop)).Replica;
        Assert.Contains(checks, c => c.Replica == stopping);

        var news = _reconciler.OnHealthCheckFailed(stopping, "disposed", unreachable: false);

        Assert.False(news);
        Assert.DoesNotContain(_reconciler.TakeCommands(), c => c.Kind is ReplicaCommandKind.Start or ReplicaCommandKind.Stop);
        Assert.NotEqual(DeploymentState.Unhealthy, _reconciler.Status().State);
    }

    [Fact]
    public void OnHealthCheckFailed_ThreeTimes_ReplacedAndUnhealthyUntilTheReplacementPasses()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1));
        StartAll();
        var replica = _reconciler.Replicas.Single();

        for (var i = 0; i < DeploymentReconciler.HealthFailuresBeforeReplace; i++)
        {
            _reconciler.OnHealthCheckDue();
            Assert.Single(Commands(ReplicaCommandKind.CheckHealth));
            Assert.True(_reconciler.OnHealthCheckFailed(replica, "sick", unreachable: false));
        }

        var commands = _reconciler.TakeCommands();
        Assert.Single(commands, c => c.Kind == ReplicaCommandKind.Stop && c.Replica == replica);
        var replacement = Assert.Single(commands, c => c.Kind == ReplicaCommandKind.Start).Replica;
        Assert.Equal(DeploymentState.Unhealthy, _reconciler.Status().State);
        _reconciler.OnStopped(replica);
        _reconciler.OnStarted(replacement, "a");
        _reconciler.OnHealthCheckPassed(Assert.Single(Commands(ReplicaCommandKind.CheckHealth)).Replica);
        Assert.Equal(DeploymentState.Healthy, _reconciler.Status().State);
    }

    [Fact]
    public void OnHealthCheckFailed_FirstCheckAfterARouterFoundTheReplicaUnreachable_ReplacedCountingOneFailedCheck()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1));
        StartAll();
        var replica = _reconciler.Replicas.Single();

        // The router's report is no health check: it has the replica checked at once, and that check's failure replaces it.
        _reconciler.OnReportedUnreachable(replica.Id);
        Assert.Single(Commands(ReplicaCommandKind.CheckHealth), c => c.Replica == replica);
        Assert.True(_reconciler.OnHealthCheckFailed(replica, "sick", unreachable: false));

        Assert.Equal(1, replica.HealthFailures);
        Assert.Single(Commands(ReplicaCommandKind.Stop), c => c.Replica == replica);
        Assert.StartsWith($"Replica {replica.Id} failed 1 health check in a row", _reconciler.Status().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnHealthCheckPassed_AfterARouterFoundTheReplicaUnreachable_NextFailureIsTheFirstOfThree()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1));
        StartAll();
        var replica = _reconciler.Replicas.Single();
        _reconciler.OnReportedUnreachable(replica.Id);
        _reconciler.OnHealthCheckPassed(Assert.Single(Commands(ReplicaCommandKind.CheckHealth)).Replica);

        _reconciler.OnHealthCheckDue();
        Assert.Single(Commands(ReplicaCommandKind.CheckHealth));
        Assert.True(_reconciler.OnHealthCheckFailed(replica, "sick", unreachable: false));

        Assert.Equal(1, replica.HealthFailures);
        Assert.Equal(ReplicaState.Running, replica.State);
        Assert.Empty(Commands(ReplicaCommandKind.Stop));
    }

    [Fact]
    public void Activate_RecordStoredWithASuspicionCountedAsFailures_FirstFailedCheckReplacesCountingItAlone()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1));
        StartAll();
        // As earlier versions stored a suspected replica: two failures it never had.
        _reconciler.Replicas.Single().HealthFailures = DeploymentReconciler.HealthFailuresBeforeReplace - 1;
        var next = new DeploymentReconciler("app/Model", _reconciler.State, _time, new Random(7));
        next.OnSilosChanged([Silo("a")]);

        next.Activate();
        var replica = Assert.Single(next.TakeCommands(), c => c.Kind == ReplicaCommandKind.CheckHealth).Replica;
        Assert.True(next.OnHealthCheckFailed(replica, "sick", unreachable: false));

        Assert.Equal(1, replica.HealthFailures);
        Assert.Single(next.TakeCommands(), c => c.Kind == ReplicaCommandKind.Stop && c.Replica == replica);
    }

    [Fact]
    public void Drain_SiloLeaving_ReplacementsStartElsewhereBeforeItsReplicasStop()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 4));
        StartAll();

        Assert.Equal(2, _reconciler.Drain("b"));

        var commands = _reconciler.TakeCommands();
        Assert.DoesNotContain(commands, c => c.Kind == ReplicaCommandKind.Stop);
        var replacements = commands.Where(c => c.Kind == ReplicaCommandKind.Start).Select(c => c.Replica).ToList();
        Assert.Equal(2, replacements.Count);
        Assert.All(replacements, r => Assert.Equal("a", r.Silo));
        // Requests keep going to the old ones meanwhile.
        Assert.Equal(4, _reconciler.RunningReplicas.Count);

        _reconciler.OnStarted(replacements[0], "a");
        var stop = Assert.Single(_reconciler.TakeCommands(), c => c.Kind == ReplicaCommandKind.Stop);
        Assert.Equal("b", stop.Replica.Silo);
    }

    [Fact]
    public void Drain_NoOtherSilo_ReplicasStopAtOnce()
    {
        _reconciler.OnSilosChanged([Silo("only")]);
        Apply(Spec(replicas: 2));
        StartAll();

        _reconciler.Drain("only");

        Assert.Equal(2, Commands(ReplicaCommandKind.Stop).Count);
    }

    [Fact]
    public void Drain_LastSilo_UnhealthyAsTheClusterStopsNotDeployFailed()
    {
        _reconciler.OnSilosChanged([Silo("only")]);
        Apply(Spec(replicas: 2));
        StartAll();

        _reconciler.Drain("only");
        Settle();

        var status = _reconciler.Status();
        Assert.Equal(DeploymentState.Unhealthy, status.State);
        Assert.Contains("stop with silo(s) only", status.Message, StringComparison.Ordinal);
        Assert.True(_reconciler.ShrinksWithStoppingSilo);
        Assert.True(_reconciler.ClusterStopping);
        Assert.Equal(0, _reconciler.StartingReplicas);
    }

    [Fact]
    public void Drain_NoRoomOnTheOtherSilo_UnhealthyWhileItStopsThenDeployFailedOnceItIsGone()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        var spec = Spec(replicas: 2);
        Apply(spec with { Options = spec.Options with { MaxReplicasPerSilo = 1 } });
        StartAll();

        _reconciler.Drain("b");
        Settle();

        var draining = _reconciler.Status();
        Assert.Equal(DeploymentState.Unhealthy, draining.State);
        Assert.Contains("1 of 2 replica(s) stop with silo(s) b, which is stopping", draining.Message, StringComparison.Ordinal);
        Assert.False(_reconciler.ClusterStopping);

        _reconciler.OnSilosChanged([Silo("a"), Silo("b", SiloCondition.Dead)]);

        var gone = _reconciler.Status();
        Assert.Equal(DeploymentState.DeployFailed, gone.State);
        Assert.Contains("1 of 2 replica(s) cannot be placed", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnLedgerRead_SiloStopping_NoNewReplicaGoesThereThoughMembershipShowsItActive()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        _reconciler.OnLedgerRead("b", [], stopping: true);

        Apply(Spec(replicas: 4));

        var starts = Commands(ReplicaCommandKind.Start);
        Assert.Equal(4, starts.Count);
        Assert.All(starts, s => Assert.Equal("a", s.Replica.Silo));
    }

    [Fact]
    public void OnLedgerRead_EverySiloStoppingUnderAFreshActivation_ReplicasFoundNotRunningAreNoNewsAndWaitUnplaced()
    {
        // As with `docker compose down`: the deployment's activation went with the gateway and began afresh on a worker
        // that is draining, as is the other; membership shows both active until their drains end.
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        StartAll();
        var replicas = _reconciler.Replicas.ToList();
        var fresh = new DeploymentReconciler("app/Model", _reconciler.State, _time, new Random(7));
        fresh.OnSilosChanged([Silo("a"), Silo("b")]);
        fresh.OnLedgerRead("a", [], stopping: true);
        fresh.OnLedgerRead("b", [], stopping: true);
        fresh.Activate();
        fresh.TakeCommands();

        // Their silos' drains stopped them: their health checks find nothing running.
        var news = replicas.Select(fresh.OnFoundNotRunning).ToList();

        Assert.All(news, Assert.False);
        Assert.DoesNotContain(fresh.TakeCommands(), c => c.Kind == ReplicaCommandKind.Start);
        Assert.True(fresh.ClusterStopping);
        var status = fresh.Status();
        Assert.NotEqual(DeploymentState.DeployFailed, status.State);
        Assert.Contains("2 of 2 replica(s) stop with silo(s) a, b, which are stopping", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("being replaced", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterStopping_EveryWorkerStoppingGatewayHostingNoReplicasStillActive_True()
    {
        var gateway = new SiloMember("gateway", SiloCondition.Active, SiloCapacity.Undeclared with { HostsReplicas = false, IsUnlimited = false });
        _reconciler.OnSilosChanged([gateway, Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        StartAll();

        _reconciler.Drain("a");
        Assert.False(_reconciler.ClusterStopping);
        _reconciler.OnLedgerRead("b", [], stopping: true);
        _reconciler.Reconcile();

        Assert.True(_reconciler.ClusterStopping);
    }

    [Fact]
    public void OnStartFailed_SiloFullBecauseItIsStopping_ItsLedgerReadThenNothingMoreGoesThere()
    {
        _reconciler.OnSilosChanged([Silo("a"), Silo("b")]);
        Apply(Spec(replicas: 2));
        var onB = Commands(ReplicaCommandKind.Start).Single(c => c.Replica.Silo == "b").Replica;
        _reconciler.BeginStartAttempt(onB);

        _reconciler.OnStartFailed(onB, StartFailure.SiloFull);
        Assert.Equal(["b"], _reconciler.TakeLedgerReads());
        _reconciler.OnLedgerRead("b", [], stopping: true);
        _reconciler.Reconcile();

        var replacement = Assert.Single(Commands(ReplicaCommandKind.Start)).Replica;
        Assert.Equal("a", replacement.Silo);
        Assert.Contains("b", _reconciler.StoppingSilos);
    }

    [Fact]
    public void OnSilosChanged_WorkerJoins_ReplicasMoveOneAtATimeNewOneFirst()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 4));
        StartAll();

        _reconciler.OnSilosChanged([Silo("a"), Silo("joined")]);

        // One move at a time: the new replica starts on the joined silo, and none stops before it serves.
        var start = Assert.Single(_reconciler.TakeCommands());
        Assert.Equal((ReplicaCommandKind.Start, "joined"), (start.Kind, start.Replica.Silo));
        _reconciler.OnStarted(start.Replica, "joined");
        var stop = Assert.Single(_reconciler.TakeCommands());
        Assert.Equal((ReplicaCommandKind.Stop, "a"), (stop.Kind, stop.Replica.Silo));
        _reconciler.OnStopped(stop.Replica);

        // The next move follows once the first is done, and the deployment ends balanced.
        Settle();
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["joined"] = 2 }, PerSilo());
        Assert.Equal(DeploymentState.Healthy, _reconciler.Status().State);
    }

    [Fact]
    public void StartingReplicas_DeleteOrFailure_ZeroSoRequestsFailAtOnce()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1, maxConstructorRetries: 1));
        var start = Assert.Single(Commands(ReplicaCommandKind.Start));
        Assert.Equal(1, _reconciler.StartingReplicas);

        Assert.False(_reconciler.ShouldRetryStart(start.Replica, "boom"));
        _reconciler.OnStartFailed(start.Replica, StartFailure.Constructor);

        Assert.Equal(0, _reconciler.StartingReplicas);
        Assert.Empty(_reconciler.RunningReplicas);
    }

    [Fact]
    public void Accept_StoreRefuses_RevertLeavesEverythingAsItWas()
    {
        _reconciler.OnSilosChanged([Silo("a")]);
        Apply(Spec(replicas: 1));
        StartAll();
        var revision = _reconciler.State.Revision;

        var change = _reconciler.Accept(Spec(replicas: 3, code: "v2"));
        _reconciler.Reconcile();
        Assert.Empty(_reconciler.TakeCommands());
        _reconciler.Revert(change);

        Assert.Equal("v1", _reconciler.Spec!.CodeVersion);
        Assert.Equal(revision, _reconciler.State.Revision);
        Assert.Equal(DeploymentState.Healthy, _reconciler.Status().State);
    }
}
