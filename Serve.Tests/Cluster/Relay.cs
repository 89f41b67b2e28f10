using Microsoft.Extensions.DependencyInjection;
using Serve.Exchange;

namespace Serve.Tests.Cluster;

/// <summary>
/// Runs in the worker processes: calls <see cref="Workload"/> through a handle and reports which process answered, beside
/// the count of its silo's data-plane calls, so a test can tell handle calls to another silo's replicas go that way.
/// </summary>
[Deployment(NumReplicas = 1)]
public sealed class Relay(DeploymentHandle<IWorkload> workload, IServiceProvider services) : IRelay
{
    public async Task<RelayReport> RelayAsync(int calls, CancellationToken cancellationToken = default)
    {
        var exchange = services.GetService<ExchangeClient>();
        var before = exchange?.Calls ?? 0;
        var elsewhere = 0;
        for (var i = 0; i < calls; i++)
        {
            if (await workload.Remote.WorkAsync(0, cancellationToken) != Environment.ProcessId)
            {
                elsewhere++;
            }
        }
        return new RelayReport(elsewhere, (exchange?.Calls ?? 0) - before);
    }
}
