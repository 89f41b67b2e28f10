using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Cluster;

/// <summary>
/// The HTTP ingress the process-cluster tests call through gateway processes: <c>?ms=</c> makes a request take that
/// long (so requests are in flight when a process dies), and the answer says which process and silo served it;
/// <c>?stream=1</c> streams a line naming the process every 50 ms until the client goes away.
/// </summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 16)]
public sealed class WorkloadIngress(ILocalSiloDetails silo) : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.Query["stream"] == "1")
        {
            return TicksAsync(cancellationToken);
        }
        if (int.TryParse(request.Query["ms"], out var milliseconds) && milliseconds > 0)
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        return new WorkloadReply(Environment.ProcessId, silo.SiloAddress.ToString());
    }

    private static async IAsyncEnumerable<string> TicksAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            yield return $"{Environment.ProcessId}\n";
            await Task.Delay(50, cancellationToken);
        }
    }
}
