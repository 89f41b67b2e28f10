using Microsoft.Extensions.Configuration;

namespace Serve.Tests.Cluster;

/// <summary>
/// Runs in the worker processes, except on one started with <c>ServeTests:BrokenBuild</c> set, as a worker given a broken
/// build of the deployment's assembly: there its constructor throws.
/// </summary>
[Deployment]
public sealed class BuildSensitive : IBuildSensitive
{
    public BuildSensitive(IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("ServeTests:BrokenBuild"))
        {
            throw new InvalidOperationException("this worker's build of the model cannot load it");
        }
    }

    public Task<int> ProcessIdAsync(CancellationToken cancellationToken = default) => Task.FromResult(Environment.ProcessId);
}
