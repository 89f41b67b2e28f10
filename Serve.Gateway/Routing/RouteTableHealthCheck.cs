using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serve.Routing;

/// <summary>A gateway is ready once it has the controller's route table: before, it would answer every request 404.</summary>
internal sealed class RouteTableHealthCheck(RouteTableWatcher routes) : IHealthCheck
{
    public const string Name = "routes";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(routes.HasTable
            ? HealthCheckResult.Healthy($"{routes.Current.Routes.Count} route(s)")
            : HealthCheckResult.Unhealthy("no route table from the controller yet"));
}
