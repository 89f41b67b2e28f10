namespace Serve.Tests.Cluster;

/// <summary>
/// Runs in the worker processes (they load Serve.Tests.dll through <c>Serve:Assemblies</c>); a call takes a set
/// time, so calls are in flight on a worker when it is killed.
/// </summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 8)]
public sealed class Workload : IWorkload
{
    public async Task<int> WorkAsync(int milliseconds, CancellationToken cancellationToken = default)
    {
        if (milliseconds > 0)
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        return Environment.ProcessId;
    }
}
