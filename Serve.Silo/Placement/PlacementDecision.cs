namespace Serve.Placement;

/// <summary>Where a replica goes, or why it fits nowhere.</summary>
/// <param name="Silo">The chosen silo; null when none fits.</param>
/// <param name="Reason">Why no silo fits, naming the demand and the largest free capacity; empty when one does.</param>
/// <param name="Waiting">No silo fits now but some silo's capacity is not known yet: try again shortly.</param>
internal sealed record PlacementDecision(string? Silo, string Reason, bool Waiting)
{
    public static PlacementDecision On(string silo) => new(silo, "", false);
}
