using Serve.Grains;

namespace Serve.Control;

/// <summary>
/// Which deployments an application update drops, and which of those marked dropped a controller still deletes. The
/// marks are stored with the update that drops them and removed once their deployments are deleted, so a controller that
/// takes over (the one before died between the two) finishes the deletes: else the dropped deployments kept their replicas
/// running for good, as nothing remembered them. Pure: the controller carries the decisions out.
/// </summary>
internal static class DroppedDeployments
{
    /// <summary>The deployments <paramref name="previous"/> had and <paramref name="spec"/> does not, by name (none for a new application).</summary>
    public static DeploymentId[] Of(ApplicationSpec? previous, ApplicationSpec spec) =>
        previous?.Deployments.Where(d => spec.Deployments.All(n => n.Name != d.Name)).Select(d => d.Id).ToArray() ?? [];

    /// <summary>
    /// Sorts <paramref name="marked"/> deployments by <paramref name="applications"/>, the stored specs: one its
    /// application's spec has again (a later update added it back) is kept, its mark dropped without deleting it; every
    /// other one is deleted, its application's spec changed, being deleted or gone alike (nothing else deletes it).
    /// </summary>
    public static (DeploymentId[] Delete, DeploymentId[] Keep) Sort(IEnumerable<DeploymentId> marked, IReadOnlyDictionary<string, ApplicationSpec> applications)
    {
        var delete = new List<DeploymentId>();
        var keep = new List<DeploymentId>();
        foreach (var deployment in marked.Distinct())
        {
            var current = applications.GetValueOrDefault(deployment.Application);
            (current is not null && current.Deployments.Any(d => d.Name == deployment.Name) ? keep : delete).Add(deployment);
        }
        return (delete.ToArray(), keep.ToArray());
    }
}
