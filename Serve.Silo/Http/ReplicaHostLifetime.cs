using Microsoft.Extensions.Hosting;

namespace Serve.Http;

/// <summary>A replica's HTTP pipeline lives and dies with its replica, not with the console (no Ctrl+C hook, no banner).</summary>
internal sealed class ReplicaHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
