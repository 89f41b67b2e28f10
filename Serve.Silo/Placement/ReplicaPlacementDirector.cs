using Orleans.Runtime.Placement;

namespace Serve.Placement;

/// <summary>
/// Honours the deployment grain's choice of silo. Without a valid hint (a stray call re-activating a
/// replica), it picks a random compatible silo; such an activation answers "gone" and deactivates.
/// </summary>
internal sealed class ReplicaPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        return Task.FromResult(
            IPlacementDirector.GetPlacementHint(target.RequestContextData, silos)
            ?? silos[Random.Shared.Next(silos.Length)]);
    }
}
