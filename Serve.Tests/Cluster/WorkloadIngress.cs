using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Cluster;

/// <summary>
/// The HTTP ingress the process-cluster tests call through gateway processes: <c>?ms=</c> makes a request take that
/// long (so requests are in flight when a process dies), and the answer says which process and silo served it.
/// </summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 16)]
public sealed class WorkloadIngress(ILocalSiloDetails silo) : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (int.TryParse(request.Query["ms"], out var milliseconds) && milliseconds > 0)
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        return new WorkloadReply(Environment.ProcessId, silo.SiloAddress.ToString());
    }
}
