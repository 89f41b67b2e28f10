using Serve.Grains;

namespace Serve.Deployments;

/// <summary>The autoscaler's side of a deployment: its target, and which replicas go first when it shrinks.</summary>
internal sealed partial class DeploymentGrain
{
    private IReadOnlyList<string> _leastBusyFirst = [];

    /// <summary>The replica count to reach: the autoscaler's when it has one, else the configured one.</summary>
    private int TargetReplicas => Spec?.Options.Autoscaling is { } autoscaling
        ? _state.State.AutoscaledTarget ?? autoscaling.EffectiveInitialReplicas
        : Spec?.Options.NumReplicas ?? 0;

    public async Task SetAutoscaledTargetAsync(int target, string reason, IReadOnlyList<string> leastBusyFirst)
    {
        if (Spec?.Options.Autoscaling is null)
        {
            return;
        }
        _state.State.AutoscaledTarget = target;
        _state.State.AutoscalingReason = reason;
        _leastBusyFirst = leastBusyFirst;
        await TryPersistAsync();
        Reconcile();
    }

    /// <summary>Tells the deployment's autoscaler what to do after the spec changed.</summary>
    private Task ConfigureAutoscalerAsync() =>
        GrainFactory.GetGrain<IAutoscalerGrain>(Key).ConfigureAsync(Spec?.Options.Autoscaling, TargetReplicas);

    /// <summary>Order of preference for stopping surplus replicas: still starting, then least busy, then newest.</summary>
    private int StopPreference(ReplicaRecord replica)
    {
        if (replica.State == ReplicaState.Starting)
        {
            return -1;
        }
        var index = IndexOf(_leastBusyFirst, replica.Id);
        return index >= 0 ? index : _leastBusyFirst.Count;
    }

    private static int IndexOf(IReadOnlyList<string> ids, string id)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] == id)
            {
                return i;
            }
        }
        return -1;
    }
}
