namespace Serve;

/// <summary>
/// Implemented by a deployment with its own health check, called every
/// <see cref="DeploymentOptions.HealthCheckPeriod"/>. Throwing (or taking longer than
/// <see cref="DeploymentOptions.HealthCheckTimeout"/>) is a failure; three in a row replace the replica. (Named so
/// as not to clash with Orleans' <c>IHealthCheckable</c>, which Orleans' implicit <c>global using Orleans.Runtime;</c>
/// brings into every project that references a silo or client package.)
/// </summary>
public interface ICustomHealthCheck
{
    /// <summary>Throws when the replica is unhealthy.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);
}
