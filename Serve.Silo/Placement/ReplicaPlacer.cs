using System.Globalization;

namespace Serve.Placement;

/// <summary>
/// Chooses a silo for a new replica: one that hosts replicas, has its demands free (capacity minus the demands of
/// the replicas already placed there) and holds fewer than <c>MaxReplicasPerSilo</c> of the deployment; among
/// those, the least loaded, so silos that just joined, being empty, get new replicas first. A suspected silo (the
/// cluster suspects it, or it was found unreachable) is never chosen: while only suspected silos would fit, the
/// decision is to wait, since the suspicion either clears or ends with the silo declared dead. Nor is a silo the
/// deciding silo's cluster manifest does not list the replica grain on yet (it just joined): Orleans would refuse to
/// activate the replica there, so while only such silos would fit, the decision is to wait for the manifest. A silo where
/// the deployment's code failed to start is chosen last (<see cref="PlacementCandidate.FailedHere"/>).
/// </summary>
internal static class ReplicaPlacer
{
    private const double Tolerance = 1e-9;

    public static PlacementDecision Place(IReadOnlyList<PlacementCandidate> silos, ReplicaResources demand, int maxReplicasPerSilo, Random random)
    {
        var suspected = silos.Where(s => s.Suspected).ToList();
        var unlisted = silos.Where(s => !s.InManifest && !s.Suspected).ToList();
        var known = silos.Where(s => s.Capacity is not null && !s.Suspected && s.InManifest).ToList();
        var unknown = silos.Where(s => s.Capacity is null && !s.Suspected && s.InManifest).Select(s => s.Silo).ToList();
        var waiting = known.Count + suspected.Count < silos.Count;
        var hosting = known.Where(s => s.Capacity!.HostsReplicas).ToList();
        var underLimit = hosting.Where(s => maxReplicasPerSilo == 0 || s.PlacedOfDeployment < maxReplicasPerSilo).ToList();
        var fitting = underLimit.Where(s => Fits(s, demand)).ToList();
        // A Serve silo that just joined: its capacity not known yet (the manifest lists the replica grain on it), or known
        // and fitting but not in the manifest yet. Not a silo that never says (no Serve metadata, no replica grain).
        var joining = silos.Where(s => !s.Suspected && !s.FailedHere && (s.InManifest
            ? s.Capacity is null
            : s.Capacity is { HostsReplicas: true } && (maxReplicasPerSilo == 0 || s.PlacedOfDeployment < maxReplicasPerSilo) && Fits(s, demand)));
        if (fitting.Count > 0 && fitting.All(s => s.FailedHere) && joining.Any())
        {
            // Only silos where its code failed have room now, and one that just joined may: wait for it rather than fail again.
            return new PlacementDecision(null, $"the silo(s) with room failed to start it ({string.Join(", ", fitting.Select(s => s.Silo))}) and a silo that just joined is not known to host replicas here yet", Waiting: true);
        }
        if (fitting.Count > 0)
        {
            // A silo where the deployment's code failed goes last: a retry tries the others first.
            if (fitting.Any(s => !s.FailedHere))
            {
                fitting = fitting.Where(s => !s.FailedHere).ToList();
            }
            var fewest = fitting.Min(s => s.PlacedOfDeployment);
            var candidates = fitting.Where(s => s.PlacedOfDeployment == fewest).ToList();
            var leastTotal = candidates.Min(s => s.Placed.Count);
            candidates = candidates.Where(s => s.Placed.Count == leastTotal).ToList();
            return PlacementDecision.On(candidates[random.Next(candidates.Count)].Silo);
        }
        if (suspected.Count > 0 && suspected.Any(s => s.Capacity is { HostsReplicas: true } && (maxReplicasPerSilo == 0 || s.PlacedOfDeployment < maxReplicasPerSilo) && Fits(s, demand)))
        {
            return new PlacementDecision(null, $"the silo(s) with room are suspected or unreachable ({string.Join(", ", suspected.Select(s => s.Silo))})", Waiting: true);
        }
        if (unlisted.Any(s => s.Capacity is null || (s.Capacity.HostsReplicas && (maxReplicasPerSilo == 0 || s.PlacedOfDeployment < maxReplicasPerSilo) && Fits(s, demand))))
        {
            return new PlacementDecision(null, $"the silo(s) with room just joined and are not yet known to host replicas here ({string.Join(", ", unlisted.Select(s => s.Silo))} not in the cluster manifest yet)", Waiting: true);
        }
        string reason;
        if (silos.Count == 0)
        {
            reason = "no silo is active";
        }
        else if (hosting.Count == 0)
        {
            reason = waiting
                ? "no silo known to host replicas yet"
                : $"none of the {known.Count} silo(s) hosts replicas (Serve:Silo:HostsReplicas is false on all)";
        }
        else if (underLimit.Count == 0)
        {
            reason = $"each of the {hosting.Count} silo(s) hosting replicas already holds MaxReplicasPerSilo ({maxReplicasPerSilo}) of them";
        }
        else
        {
            reason = Shortage(underLimit, demand);
        }
        if (unknown.Count > 0)
        {
            // It just joined: its declared capacity arrives with its silo metadata, and it may have the room.
            var capacity = $"the capacity of {string.Join(", ", unknown)} is not known yet";
            reason = hosting.Count == 0 ? capacity : $"{reason}, and {capacity}";
        }
        return new PlacementDecision(null, reason, waiting);
    }

    internal static bool Fits(PlacementCandidate silo, ReplicaResources demand)
    {
        var capacity = silo.Capacity!;
        if (capacity.IsUnlimited)
        {
            return true;
        }
        // A small tolerance, so ten replicas of 0.1 CPU fill one CPU despite rounding.
        return demand.NumCpus <= Free(capacity.NumCpus, silo.Placed.Sum(p => p.NumCpus)) + Tolerance
            && demand.NumGpus <= Free(capacity.NumGpus, silo.Placed.Sum(p => p.NumGpus)) + Tolerance
            && (capacity.Memory == long.MaxValue || demand.Memory <= capacity.Memory - silo.Placed.Sum(p => p.Memory))
            && demand.Custom.All(kv => kv.Value <= Free(capacity.Custom.GetValueOrDefault(kv.Key), silo.Placed.Sum(p => p.Custom.GetValueOrDefault(kv.Key))) + Tolerance);
    }

    /// <summary>Names the first resource no silo has free enough of, and the silo with the most of it.</summary>
    internal static string Shortage(IReadOnlyList<PlacementCandidate> silos, ReplicaResources demand)
    {
        var dimensions = new List<(string Name, double Demand, Func<PlacementCandidate, double> Free)>
        {
            ("CPU(s)", demand.NumCpus, s => Free(s.Capacity!.NumCpus, s.Placed.Sum(p => p.NumCpus))),
            ("GPU(s)", demand.NumGpus, s => Free(s.Capacity!.NumGpus, s.Placed.Sum(p => p.NumGpus))),
            ("bytes of memory", demand.Memory, s => s.Capacity!.Memory - s.Placed.Sum(p => p.Memory)),
        };
        dimensions.AddRange(demand.Custom.Select(kv => ($"of '{kv.Key}'", kv.Value,
            (Func<PlacementCandidate, double>)(s => Free(s.Capacity!.Custom.GetValueOrDefault(kv.Key), s.Placed.Sum(p => p.Custom.GetValueOrDefault(kv.Key)))))));
        foreach (var (name, amount, free) in dimensions)
        {
            var best = silos.MaxBy(free)!;
            if (amount > free(best) + Tolerance)
            {
                return $"needs {Format(amount)} {name}, the largest free is {Format(free(best))} on {best.Silo}";
            }
        }
        return $"no single silo has all of its demands free at once (CPUs {Format(demand.NumCpus)}, GPUs {Format(demand.NumGpus)}, memory {demand.Memory})";
    }

    private static double Free(double capacity, double used) => Math.Max(0, capacity - used);

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
