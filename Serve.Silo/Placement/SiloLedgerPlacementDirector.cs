using Orleans.Runtime.Placement;

namespace Serve.Placement;

/// <summary>
/// Activates a silo's ledger grain on that silo and nowhere else: a key naming a silo that is not active fails the
/// call, as a call to a dead silo would, rather than answer for the wrong silo (with a <see cref="SiloNotPlaceableException"/>,
/// which Orleans neither retries nor logs as an error).
/// </summary>
internal sealed class SiloLedgerPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var silo = Array.Find(context.GetCompatibleSilos(target), s => s.ToString() == key);
        return silo is not null
            ? Task.FromResult(silo)
            : throw new SiloNotPlaceableException(key, $"Silo {key} is not active; its ledger cannot be read.");
    }
}
