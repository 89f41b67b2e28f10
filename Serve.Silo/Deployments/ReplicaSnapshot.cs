namespace Serve.Deployments;

/// <summary>One replica's state and health for the gauges.</summary>
internal readonly record struct ReplicaSnapshot(string Id, ReplicaState State, bool Healthy);
