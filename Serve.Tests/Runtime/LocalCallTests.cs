using Serve.Replicas;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>
/// Calls from a router to a replica in its own silo go direct (<see cref="InProcessReplica"/>), not as Orleans messages,
/// and must behave as those did: one turn at a time, drained on stop, cancelled, faulted and disposed the same.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class LocalCallTests(SingleSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private IServeClient Serve => fixture.Serve;

    private LocalReplicas Local => fixture.LocalReplicas;

    [Fact]
    public async Task CallAsync_ReplicaInCallersSilo_GoesDirectAndStopDrainsIt()
    {
        var gate = Gate.Create(nameof(CallAsync_ReplicaInCallersSilo_GoesDirectAndStopDrainsIt));
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "direct-drain", null);
        var (id, replica) = await ReplicaAsync("direct-drain", "Probe");
        var before = replica.Calls;

        var call = handle.Remote.HoldAsync(gate.Name);
        await gate.WhenArrivedAsync(1).WaitAsync(Patience);
        Assert.Equal(before + 1, replica.Calls);
        var delete = Serve.DeleteAsync("direct-drain");
        await Serve.WaitForAsync(s => s.Applications["direct-drain"].State == ApplicationState.Deleting);
        await WaitUntilAsync(() => Local.Find(id) is null);
        Assert.False(delete.IsCompleted);
        gate.Open();

        Assert.NotEmpty(await call);
        await delete;
        Assert.Null(Local.Find(id));
    }

    [Fact]
    public async Task CallAsync_CallerCancelsDirectCall_UserCodeSeesCancellation()
    {
        var gate = Gate.Create(nameof(CallAsync_CallerCancelsDirectCall_UserCodeSeesCancellation));
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "direct-cancel", null);
        var (_, replica) = await ReplicaAsync("direct-cancel", "Probe");
        var before = replica.Calls;
        using var cancel = new CancellationTokenSource();

        var call = handle.Remote.HoldAsync(gate.Name, cancel.Token);
        await gate.WhenArrivedAsync(1).WaitAsync(Patience);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await gate.Cancelled.WaitAsync(Patience);
        Assert.Equal(before + 1, replica.Calls);
        await Serve.DeleteAsync("direct-cancel");
    }

    [Fact]
    public async Task CallAsync_UserCodeThrowsOnDirectCall_CallerGetsWhatAnOrleansCallerGets()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "direct-fault", null);
        var (_, replica) = await ReplicaAsync("direct-fault", "Probe");
        var external = await fixture.ExternalServe.GetAppHandleAsync<IProbe>("direct-fault");
        var before = replica.Calls;

        var direct = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Remote.FailAsync("the model is sad"));
        Assert.Equal(before + 1, replica.Calls);
        var overOrleans = await Assert.ThrowsAsync<DeploymentCallException>(() => external.Remote.FailAsync("the model is sad"));

        Assert.Equal(before + 1, replica.Calls);
        Assert.Equal(overOrleans.ExceptionType, direct.ExceptionType);
        Assert.Equal(overOrleans.OriginalMessage, direct.OriginalMessage);
        Assert.Equal(overOrleans.Deployment, direct.Deployment);
        Assert.Equal(overOrleans.ReplicaId, direct.ReplicaId);
        Assert.Equal(overOrleans.Message, direct.Message);
        await Serve.DeleteAsync("direct-fault");
    }

    [Fact]
    public async Task CallAsync_ManyDirectCallsAtOnce_UserCodeNeverRunsOnTwoThreadsAtOnce()
    {
        var handle = await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "direct-turns", null);
        var (_, replica) = await ReplicaAsync("direct-turns", "DirectProbe");
        var before = replica.Calls;

        // From thread-pool threads, as the gateway's calls come: each call's own caller thread could otherwise run it.
        var most = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => handle.Remote.CrowdAsync())));

        Assert.Equal(before + 64, replica.Calls);
        Assert.All(most, m => Assert.Equal(1, m));
        await Serve.DeleteAsync("direct-turns");
    }

    [Fact]
    public async Task Deactivate_ByTheRuntimeDuringDirectCall_InstanceDisposedOnlyOnceTheCallEnds()
    {
        var gate = Gate.Create(nameof(Deactivate_ByTheRuntimeDuringDirectCall_InstanceDisposedOnlyOnceTheCallEnds));
        var handle = await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "direct-deactivate", null);
        var (id, replica) = await ReplicaAsync("direct-deactivate", "DirectProbe");
        var call = handle.Remote.HoldAsync(gate.Name);
        await gate.WhenArrivedAsync(1).WaitAsync(Patience);

        // Orleans knows of no call on it (the call came direct), so nothing of Orleans' holds the deactivation back.
        replica.Activation.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "test"), CancellationToken.None);
        await WaitUntilAsync(() => Local.Find(id) is null);
        gate.Open();

        var instance = await call.WaitAsync(Patience);
        Assert.NotEqual("disposed", instance);
        await WaitUntilAsync(() => DirectProbe.Disposed.ContainsKey(instance));
        await Serve.DeleteAsync("direct-deactivate");
    }

    [Fact]
    public async Task CallAsync_DirectCall_CarriesRequestContextOnlyAndLeavesTheCallersContextAsItWas()
    {
        var handle = await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "direct-context", null);
        var (_, replica) = await ReplicaAsync("direct-context", "DirectProbe");

        // As a turn of the replica, as in a message.
        await CallerContextCheck.RunAsync(key => handle.Remote.ContextAsync(key), replica, "direct-context-key");

        await Serve.DeleteAsync("direct-context");
    }

    private Task<(string Id, InProcessReplica Replica)> ReplicaAsync(string application, string deployment) =>
        fixture.LocalReplicaAsync(application, deployment);

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, Patience);
}
