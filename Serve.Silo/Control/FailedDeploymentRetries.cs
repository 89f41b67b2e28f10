namespace Serve.Control;

/// <summary>
/// When the controller retries DEPLOY_FAILED deployments by itself: each time the cluster's capacity grows (a silo that
/// hosts replicas joins, or its capacity becomes known), each deployment that failed is asked once to try again, and not
/// again until the next such change. A deployment that fails again meanwhile, while the change came during its retry, is
/// asked once more when its failure is reported. So a team that fixes its workers and restarts them gets its applications
/// back without a re-deploy, while a deployment that fails everywhere costs at most one attempt (MaxConstructorRetryCount
/// starts) per silo that joins: no loop, and no storm however many failed. The deployment itself retries only when some
/// silo has not failed it yet (<see cref="Deployments.DeploymentReconciler.RetryFailedStart"/>). Pure: the controller
/// feeds it the silos and the failed deployments, and carries out what it answers.
/// </summary>
internal sealed class FailedDeploymentRetries
{
    /// <summary>The silos that host replicas, as last seen; null before the first look.</summary>
    private HashSet<string>? _hosting;

    /// <summary>How many times the capacity grew since this controller activated.</summary>
    private long _change;

    /// <summary>For each failed deployment, the change its failure is answered for: asked at, or first seen failed after.</summary>
    private readonly Dictionary<string, long> _answeredAt = new(StringComparer.Ordinal);

    /// <summary>Deployments being asked now.</summary>
    private readonly HashSet<string> _asking = new(StringComparer.Ordinal);

    /// <summary>Why the deployments due now are retried ("silo S… joined the cluster"); empty before any change.</summary>
    public string Reason { get; private set; } = "";

    /// <summary>
    /// The silos that host replicas now (<paramref name="hosting"/>), and the deployments failed now (<paramref name="failed"/>,
    /// which failed before any silo in it that is new). True when a silo joined since the last call: the failed deployments
    /// are due (<see cref="Due"/>). The first call only learns the silos: a controller that takes over saw no change.
    /// </summary>
    public bool OnSilos(IEnumerable<string> hosting, IReadOnlyCollection<string> failed)
    {
        Observe(failed);
        var now = hosting.ToHashSet(StringComparer.Ordinal);
        var joined = _hosting is null ? [] : now.Where(s => !_hosting.Contains(s)).Order(StringComparer.Ordinal).ToList();
        _hosting = now;
        if (joined.Count == 0)
        {
            return false;
        }
        _change++;
        Reason = joined.Count == 1 ? $"silo {joined[0]} joined the cluster" : $"silos {string.Join(", ", joined)} joined the cluster";
        return true;
    }

    /// <summary>
    /// Which of <paramref name="failed"/> (the deployments DEPLOY_FAILED now) to ask to try again: those whose failure
    /// predates the last change and that were not asked since, and are not being asked; they are marked asked. Deployments
    /// <paramref name="exists"/> no longer knows (deleted) are forgotten.
    /// </summary>
    public IReadOnlyList<string> Due(IReadOnlyCollection<string> failed, Func<string, bool> exists)
    {
        foreach (var gone in _answeredAt.Keys.Where(k => !exists(k)).ToList())
        {
            _answeredAt.Remove(gone);
        }
        Observe(failed);
        var due = failed.Where(k => _answeredAt[k] < _change && !_asking.Contains(k)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var key in due)
        {
            _answeredAt[key] = _change;
            _asking.Add(key);
        }
        return due;
    }

    /// <summary>The ask of <paramref name="deployment"/> ended (answered or not): it may be due again after the next change.</summary>
    public void Done(string deployment) => _asking.Remove(deployment);

    /// <summary>A failure seen for the first time is answered up to now: only a later change makes it due.</summary>
    private void Observe(IReadOnlyCollection<string> failed)
    {
        foreach (var key in failed)
        {
            _answeredAt.TryAdd(key, _change);
        }
    }
}
