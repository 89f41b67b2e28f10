using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serve.Health;

/// <summary>
/// The applications' states, from the controller: degraded (never unhealthy: the silo can still serve the others)
/// when one is not <c>RUNNING</c>, or when the controller does not answer within <see cref="Timeout"/>.
/// </summary>
internal sealed class ApplicationsHealthCheck(IServeClient serve) : IHealthCheck
{
    public const string Name = "applications";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        ServeStatus status;
        try
        {
            status = await serve.GetStatusAsync(deadline.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded($"the controller did not answer: {e.GetType().Name}");
        }
        var notRunning = status.Applications.Values.Where(a => a.State != ApplicationState.Running).Select(a => $"{a.Name} {a.State}").ToArray();
        return notRunning.Length == 0
            ? HealthCheckResult.Healthy($"{status.Applications.Count} application(s) running")
            : HealthCheckResult.Degraded($"not running: {string.Join(", ", notRunning)}");
    }
}
