namespace Serve.Hosting;

/// <summary>
/// When an external Orleans client (<c>AddServeClient</c>) has connected to its cluster, as its lifecycle says. A grain
/// call sent before then was never answered, not even once the client had connected, so a router made by an early handle
/// call (a hosted service starting before the client, a web app whose services start concurrently) never got its
/// replica set, and that call and every later one to the deployment waited for good. Routers of such a client wait for
/// this before their first poll; a silo's routers have nothing to wait for.
/// </summary>
internal sealed class ClusterConnection : ILifecycleParticipant<IClusterClientLifecycle>
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the client has connected.</summary>
    public Task Connected => _connected.Task;

    public void Participate(IClusterClientLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterConnection), ServiceLifecycleStage.Active, _ =>
        {
            _connected.TrySetResult();
            return Task.CompletedTask;
        });
}
