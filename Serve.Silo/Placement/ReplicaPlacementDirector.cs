using Orleans.Runtime.Placement;

namespace Serve.Placement;

/// <summary>
/// Honours the deployment grain's choice of silo. A chosen silo that this silo does not yet know to host replicas
/// (it just joined, and its grain manifest has not arrived) is reported unavailable, so the deployment grain places
/// the replica again shortly instead of having it land on a silo that has no room or hosts no replicas.
/// Without a hint (a stray call re-activating a replica), it picks a random compatible silo; such an activation
/// answers "gone" and deactivates. The refusal is a <see cref="SiloNotPlaceableException"/>, which Orleans neither retries nor logs as an error.
/// </summary>
internal sealed class ReplicaPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (target.RequestContextData is { } data
            && data.TryGetValue(IPlacementDirector.PlacementHintKey, out var value) && value is SiloAddress hint)
        {
            return Array.IndexOf(silos, hint) >= 0
                ? Task.FromResult(hint)
                : throw new SiloNotPlaceableException(hint.ToString(), $"Silo {hint} chosen for replica {target.GrainIdentity} is not yet known to host replicas here; it is placed again.");
        }
        return Task.FromResult(silos[Random.Shared.Next(silos.Length)]);
    }
}
