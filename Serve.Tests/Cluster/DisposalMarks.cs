namespace Serve.Tests.Cluster;

/// <summary>
/// Runs in the worker processes: a workload whose instances leave a file in a folder the test chose when they are
/// disposed (<c>{process id}-{instance}</c>), so a test sees which process disposed how many replicas.
/// </summary>
[Deployment(NumReplicas = 4, MaxOngoingRequests = 8)]
public sealed class DisposalMarks(string folder) : IWorkload, IAsyncDisposable
{
    private readonly string _instance = Guid.NewGuid().ToString("N");

    public async Task<int> WorkAsync(int milliseconds, CancellationToken cancellationToken = default)
    {
        if (milliseconds > 0)
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        return Environment.ProcessId;
    }

    public ValueTask DisposeAsync()
    {
        File.WriteAllText(Path.Combine(folder, $"{Environment.ProcessId}-{_instance}"), "");
        return ValueTask.CompletedTask;
    }

    /// <summary>How many replicas process <paramref name="processId"/> disposed.</summary>
    public static int DisposedBy(string folder, int processId) =>
        Directory.GetFiles(folder, $"{processId}-*").Length;
}
