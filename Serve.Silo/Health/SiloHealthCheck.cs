using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serve.Health;

/// <summary>Ready once this silo is active in its cluster's membership (started and joined); not while joining or shutting down.</summary>
internal sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public const string Name = "silo";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"{silo.SiloAddress} active in the cluster")
            : HealthCheckResult.Unhealthy($"{silo.SiloAddress} is {status} in the cluster, not active"));
    }
}
