namespace Serve.Deployments;

/// <summary>What the deployment reports: its status (Ray's states) and what routers need to know.</summary>
internal sealed partial class DeploymentReconciler
{
    /// <summary>The target the current spec last ran at in full (every replica of its version running, no other); null before.</summary>
    private int? _reachedTarget;

    /// <summary>Replicas were lost (their silo died, or they were found not running) after the target was reached in full.</summary>
    private bool _lostFromFull;

    /// <summary>
    /// The deployment ran at its target in full, lost replicas, and their replacements wait for a silo with room: it serves
    /// fewer than it did, which is not an update. UNHEALTHY, where a first deploy or an upscale that waits is UPDATING or
    /// UPSCALING. Replicas that stopped with a drained silo, having fit nowhere else, count as lost
    /// (<see cref="DeploymentGrainState.ShrankWithSilo"/>), also in the activation that takes over from a stopped silo.
    /// </summary>
    public bool ReplacementsWaitForSilo => WaitingForSilo && (State.ShrankWithSilo || _lostFromFull && _reachedTarget is { } reached && TargetReplicas <= reached);

    /// <summary>Ids of the RUNNING replicas, the ones routers send calls to.</summary>
    public IReadOnlyList<string> RunningReplicas =>
        State.Replicas.Where(r => r.State == ReplicaState.Running).Select(r => r.Id).ToArray();

    /// <summary>
    /// Replicas that are starting, or that the deployment is about to start (waiting for a silo's capacity, or for a
    /// suspected silo to clear); zero when none will come without a change (failed, unplaceable, deleting). Routers hold
    /// requests only while this is above zero.
    /// </summary>
    public int StartingReplicas
    {
        get
        {
            if (Spec is not { } spec || _deleting)
            {
                return 0;
            }
            var starting = State.Replicas.Count(r => r.State == ReplicaState.Starting);
            if (_failed || CannotPlace)
            {
                return starting;
            }
            var running = State.Replicas.Count(r => r.State == ReplicaState.Running && r.CodeVersion == spec.CodeVersion);
            return Math.Max(starting, TargetReplicas - running);
        }
    }

    public DeploymentStatus Status()
    {
        var spec = Spec;
        var target = TargetReplicas;
        var current = State.Replicas.Where(r => spec is not null && r.CodeVersion == spec.CodeVersion).ToList();
        var running = current.Count(r => r.State == ReplicaState.Running);
        var previous = State.Replicas.Count(r => r.State == ReplicaState.Running && r.CodeVersion != spec?.CodeVersion);
        // A lightweight update still on its way to the running instances: not HEALTHY until they took it (or refused it).
        var reconfiguring = current.Any(r => r.State == ReplicaState.Running && r.Revision < State.Revision);
        var scaling = State.AutoscaledTarget is not null;
        var state = _failed || Unplaceable ? DeploymentState.DeployFailed
            : _recovering || ShrinksWithStoppingSilo || ReplacementsWaitForSilo ? DeploymentState.Unhealthy
            : reconfiguring ? DeploymentState.Updating
            : running == target && State.Replicas.Count == target ? DeploymentState.Healthy
            : scaling && running < target ? DeploymentState.Upscaling
            : scaling && State.Replicas.Count > target && running >= target ? DeploymentState.Downscaling
            : DeploymentState.Updating;
        return new DeploymentStatus
        {
            Name = spec?.Name ?? _key[(_key.IndexOf('/') + 1)..],
            State = state,
            // An upscale that waits for a silo with room, or to be placed, says so; other scaling needs no words.
            Message = state is DeploymentState.Healthy or DeploymentState.Downscaling || state == DeploymentState.Upscaling && !WaitingForSilo && !PlacementWaits ? ""
                : _failed ? _message
                : CannotPlace ? UnplacedMessage(target)
                : PlacementWaits ? WaitingMessage(target)
                : _message,
            TargetReplicas = target,
            RunningReplicas = running,
            PreviousVersionReplicas = previous,
            ScalingDecision = State.AutoscalingReason,
            RecentScalingDecisions = RecentScalingDecisions,
            Replicas = State.Replicas.Select(r => r.ToStatus()).ToArray(),
        };
    }
}
