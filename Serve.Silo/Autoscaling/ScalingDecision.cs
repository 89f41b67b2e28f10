namespace Serve.Autoscaling;

/// <summary>What <see cref="AutoscalingPolicy.Decide"/> wants: a replica count and why, for logs and status.</summary>
/// <param name="Replicas">The replica count to run now; the current count when nothing should change.</param>
/// <param name="Reason">Why, in words, such as "load 9.5 over target 2 → 5 replicas (upscale delay 2 s elapsed)".</param>
internal sealed record ScalingDecision(int Replicas, string Reason);
