using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serve.Diagnostics;

namespace Serve.Deployments;

/// <summary>
/// The control plane's instruments on the <c>Serve</c> meter, reported by the silo that hosts each deployment's grain:
/// replicas by state, each replica's health, the target number of replicas (the autoscaler's when it scales), replica
/// starts and the autoscaler's decisions. The observed instruments (gauges and up-down counters) are read from snapshots the deployment grains leave here when
/// something changed, so collecting never calls a grain.
/// </summary>
internal sealed class DeploymentMetrics
{
    public const string ReplicasName = "serve.deployment.replicas";
    public const string TargetReplicasName = "serve.autoscaling.target_replicas";
    public const string HealthyName = "serve.replica.healthy";
    public const string StartsName = "serve.replica.starts";
    public const string DecisionsName = "serve.autoscaling.decisions";

    /// <summary>Whether the autoscaler added replicas (<c>up</c>) or removed them (<c>down</c>).</summary>
    public const string DirectionTag = "serve.autoscaling.direction";

    private static readonly ReplicaState[] States = Enum.GetValues<ReplicaState>();
    private static readonly string[] StateNames = States.Select(s => System.Text.Json.JsonSerializer.Serialize(s).Trim('"')).ToArray();

    private readonly ConcurrentDictionary<string, DeploymentSnapshot> _deployments = new();
    private readonly Counter<long> _starts;
    private readonly Counter<long> _decisions;

    public DeploymentMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServeMeter.Name);
        // Counts that add up across their series are up-down counters in OpenTelemetry's conventions (as k8s.deployment.desired_pods
        // and available_pods); the health of one replica, 1 or 0, is a gauge.
        meter.CreateObservableUpDownCounter(ReplicasName, ObserveReplicas, "{replica}", "Replicas of each deployment, by state (STARTING, RUNNING, ...).");
        meter.CreateObservableUpDownCounter(TargetReplicasName, ObserveTargets, "{replica}",
            "Replicas each deployment is asked to run: the autoscaler's target when it scales, else num_replicas.");
        meter.CreateObservableGauge(HealthyName, ObserveHealth, null, "1 for a replica running and passing its health checks, 0 otherwise.");
        _starts = meter.CreateCounter<long>(StartsName, "{replica}", "Replicas started (first starts, replacements of unhealthy or lost ones, scale-ups).");
        _decisions = meter.CreateCounter<long>(DecisionsName, "{decision}", "Changes of target the autoscaler made, by direction.");
    }

    /// <summary>What a deployment grain reports after each change; <paramref name="snapshot"/> null when the deployment is gone from this silo.</summary>
    public void Update(string deploymentKey, DeploymentSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            _deployments.TryRemove(deploymentKey, out _);
        }
        else
        {
            _deployments[deploymentKey] = snapshot;
        }
    }

    public void ReplicaStarted(DeploymentTags deployment) => _starts.Add(1, deployment.Application, deployment.Deployment);

    public void AutoscalingDecided(DeploymentTags deployment, int from, int to) =>
        _decisions.Add(1, deployment.Application, deployment.Deployment, new(DirectionTag, to > from ? "up" : "down"));

    private IEnumerable<Measurement<int>> ObserveReplicas()
    {
        foreach (var deployment in _deployments.Values)
        {
            for (var s = 0; s < States.Length; s++)
            {
                var count = 0;
                foreach (var replica in deployment.Replicas)
                {
                    count += replica.State == States[s] ? 1 : 0;
                }
                yield return new Measurement<int>(count, deployment.Tags.Application, deployment.Tags.Deployment, new(ServeMeter.ReplicaStateTag, StateNames[s]));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveTargets()
    {
        foreach (var deployment in _deployments.Values)
        {
            yield return new Measurement<int>(deployment.TargetReplicas, deployment.Tags.Application, deployment.Tags.Deployment);
        }
    }

    private IEnumerable<Measurement<int>> ObserveHealth()
    {
        foreach (var deployment in _deployments.Values)
        {
            foreach (var replica in deployment.Replicas)
            {
                yield return new Measurement<int>(replica.Healthy ? 1 : 0, deployment.Tags.Application, deployment.Tags.Deployment, new(ServeMeter.ReplicaTag, replica.Id));
            }
        }
    }
}
