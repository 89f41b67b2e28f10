using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serve.Hosting;
using Serve.Routing;

namespace Serve.Tests.Routing;

/// <summary>
/// An external client's router while its connection to the cluster is lost, driven as Orleans drives the connection.
/// The router is never started: its calls wait for a replica set that never comes, as they do while no silo answers.
/// </summary>
public sealed class DeploymentRouterOutageTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ClusterConnection _connection = new(TimeProvider.System, NullLogger<ClusterConnection>.Instance);
    private readonly DeploymentRouter _router;

    public DeploymentRouterOutageTests()
    {
        _router = new DeploymentRouter(
            new DeploymentId("app", "d"), grains: null!, TimeProvider.System, NullLogger.Instance, new RouterMetrics(_services.GetRequiredService<IMeterFactory>()))
        {
            Connection = _connection,
        };
        ((IClusterConnectionStatusObserver)_connection).NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        _connection.ClientStarted();
    }

    private void LoseTheCluster() => ((IClusterConnectionStatusObserver)_connection).NotifyClusterConnectionLost();

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task InvokeAsync_ClusterLostWhileTheCallWaits_FailsUnreachable()
    {
        var call = _router.InvokeAsync<string>("M", [], CallOptions.Default, CancellationToken.None);

        LoseTheCluster();

        var error = await Assert.ThrowsAsync<ClusterUnreachableException>(() => call.WaitAsync(Patience));
        Assert.Equal("app/d", error.Deployment);
        Assert.False(error.MayHaveRun);
    }

    [Fact]
    public async Task InvokeAsync_ClusterLostWithATimeout_FailsUnreachableNotTimedOut()
    {
        var call = _router.InvokeAsync<string>("M", [], CallOptions.Default with { Timeout = TimeSpan.FromMinutes(5) }, CancellationToken.None);

        LoseTheCluster();

        await Assert.ThrowsAsync<ClusterUnreachableException>(() => call.WaitAsync(Patience));
    }

    [Fact]
    public void InvokeAsync_ClusterLostBefore_RefusedAtOnce()
    {
        LoseTheCluster();

        var call = _router.InvokeAsync<string>("M", [], CallOptions.Default, CancellationToken.None);

        Assert.True(call.IsFaulted);
        var error = Assert.IsType<ClusterUnreachableException>(call.Exception!.InnerException);
        Assert.False(error.MayHaveRun);
    }

    [Fact]
    public async Task InvokeAsync_ClusterLostAndTheCallWaitsForReady_WaitsBoundedByItsToken()
    {
        LoseTheCluster();
        using var cancel = new CancellationTokenSource();

        var call = _router.InvokeAsync<string>("M", [], CallOptions.Default with { WaitForReady = true }, cancel.Token);

        Assert.False(call.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
    }

    [Fact]
    public async Task StreamAsync_ClusterLostBefore_RefusedAtOnce()
    {
        LoseTheCluster();

        await Assert.ThrowsAsync<ClusterUnreachableException>(async () =>
        {
            await foreach (var _ in _router.StreamAsync("M", [], CallOptions.Default, CancellationToken.None))
            {
            }
        });
    }

    [Fact]
    public async Task StreamAsync_ClusterLostWhileTheStreamWaits_FailsUnreachable()
    {
        var stream = _router.StreamAsync("M", [], CallOptions.Default, CancellationToken.None).GetAsyncEnumerator();
        var first = stream.MoveNextAsync().AsTask();

        LoseTheCluster();

        await Assert.ThrowsAsync<ClusterUnreachableException>(() => first.WaitAsync(Patience));
        await stream.DisposeAsync();
    }
}
