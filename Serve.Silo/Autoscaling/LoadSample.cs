namespace Serve.Autoscaling;

/// <summary>One reading of a deployment's load: requests queued at callers plus running in replicas, at a time.</summary>
/// <param name="At">When the load was read, on the policy's <see cref="TimeProvider"/>.</param>
/// <param name="TotalOngoing">Ongoing requests of the whole deployment (summed over every caller and replica).</param>
internal readonly record struct LoadSample(DateTimeOffset At, double TotalOngoing);
