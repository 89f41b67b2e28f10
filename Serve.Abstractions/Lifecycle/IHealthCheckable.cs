namespace Serve;

/// <summary>
/// Implemented by a deployment with its own health check, called every
/// <see cref="DeploymentOptions.HealthCheckPeriod"/>. Throwing (or taking longer than
/// <see cref="DeploymentOptions.HealthCheckTimeout"/>) is a failure; three in a row replace the replica.
/// </summary>
public interface IHealthCheckable
{
    /// <summary>Throws when the replica is unhealthy.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);
}
