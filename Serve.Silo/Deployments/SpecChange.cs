using Serve.Grains;

namespace Serve.Deployments;

/// <summary>What a new spec replaced, so that a spec the store refused can be undone.</summary>
/// <param name="Previous">The spec before.</param>
/// <param name="AutoscaledTarget">The autoscaler's target before.</param>
/// <param name="AutoscalingReason">Its reason before.</param>
/// <param name="Revision">The spec revision before.</param>
internal sealed record SpecChange(DeploymentSpec? Previous, int? AutoscaledTarget, string? AutoscalingReason, long Revision);
