using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

[Collection(SingleSiloCollection.Name)]
public sealed class HandleTests(SingleSiloFixture fixture)
{
    private IServeClient Serve => fixture.Serve;

    [Fact]
    public async Task CallAsync_FiftyConcurrentCallers_NeverExceedsMaxOngoingRequests()
    {
        var gate = Gate.Create(nameof(CallAsync_FiftyConcurrentCallers_NeverExceedsMaxOngoingRequests));
        var app = Deployment.For<Probe>().Options(o => o with { NumReplicas = 2, MaxOngoingRequests = 3 }).Bind();
        var handle = await Serve.RunAsync<IProbe>(app, "max-ongoing", null);

        var calls = Enumerable.Range(0, 50).Select(_ => handle.Remote.HoldAsync(gate.Name)).ToArray();
        await gate.WhenArrivedAsync(6);
        var inside = gate.Arrived;
        gate.Open();
        var served = await Task.WhenAll(calls);

        Assert.Equal(6, inside);
        Assert.Equal(6, gate.MaxInside);
        Assert.Equal(2, served.Distinct().Count());
        await Serve.DeleteAsync("max-ongoing");
    }

    [Fact]
    public async Task CallAsync_QueueFull_ThrowsBackPressureAtOnce()
    {
        var gate = Gate.Create(nameof(CallAsync_QueueFull_ThrowsBackPressureAtOnce));
        var app = Deployment.For<Probe>().Options(o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 1 }).Bind();
        var handle = await Serve.RunAsync<IProbe>(app, "back-pressure", null);

        var running = handle.Remote.HoldAsync(gate.Name);
        await gate.WhenArrivedAsync(1);
        var queued = handle.Remote.HoldAsync(gate.Name);
        await WaitUntilQueuedAsync(handle, 1);

        var refused = await Assert.ThrowsAsync<BackPressureException>(() => handle.Remote.HoldAsync(gate.Name));

        Assert.Equal(1, gate.Arrived);
        Assert.Equal(1, refused.MaxQueuedRequests);
        Assert.Contains("back-pressure/Probe", refused.Message);
        gate.Open();
        await Task.WhenAll(running, queued);
        Assert.Equal(2, gate.Arrived);
        await Serve.DeleteAsync("back-pressure");
    }

    [Fact]
    public async Task CallAsync_UserCodeThrows_CallerGetsTypeAndMessageAndReplicaKeepsServing()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "user-exception", null);
        var before = await handle.Remote.WhoAsync();

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Remote.FailAsync("the model is sad"));

        Assert.Equal("System.InvalidOperationException", error.ExceptionType);
        Assert.Equal("the model is sad", error.OriginalMessage);
        Assert.Equal("user-exception/Probe", error.Deployment);
        Assert.StartsWith("user-exception/Probe/", error.ReplicaId);
        Assert.Equal(before, await handle.Remote.WhoAsync());
        await Serve.DeleteAsync("user-exception");
    }

    [Fact]
    public async Task CallAsync_CallerCancels_UserCodeSeesCancellation()
    {
        var gate = Gate.Create(nameof(CallAsync_CallerCancels_UserCodeSeesCancellation));
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "cancellation", null);
        using var cancel = new CancellationTokenSource();

        var call = handle.Remote.HoldAsync(gate.Name, cancel.Token);
        await gate.WhenArrivedAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        await Serve.DeleteAsync("cancellation");
    }

    [Fact]
    public async Task CallAsync_TimeoutPasses_ThrowsRequestTimeoutAndCancelsUserCode()
    {
        var gate = Gate.Create(nameof(CallAsync_TimeoutPasses_ThrowsRequestTimeoutAndCancelsUserCode));
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "timeout", null);

        var timed = handle.WithOptions(new CallOptions { Timeout = PassingTimeout.Value, RequestId = "req-42" });
        var error = await Assert.ThrowsAsync<RequestTimeoutException>(() => timed.Remote.HoldAsync(gate.Name));

        Assert.Equal("req-42", error.RequestId);
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        await Serve.DeleteAsync("timeout");
    }

    [Fact]
    public async Task StreamAsync_MethodStillRunning_FirstItemArrivesBeforeLast()
    {
        var gate = Gate.Create(nameof(StreamAsync_MethodStillRunning_FirstItemArrivesBeforeLast));
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "streaming", null);

        await using var items = handle.Remote.StreamAsync("first", gate.Name, "second").GetAsyncEnumerator();
        Assert.True(await items.MoveNextAsync());
        Assert.Equal("first", items.Current);
        var next = items.MoveNextAsync().AsTask();
        await gate.WhenArrivedAsync(1);
        Assert.False(next.IsCompleted);
        gate.Open();

        Assert.True(await next);
        Assert.Equal("second", items.Current);
        Assert.False(await items.MoveNextAsync());
        await Serve.DeleteAsync("streaming");
    }

    [Fact]
    public async Task CallAsync_ByName_RunsNamedMethodWithArguments()
    {
        var handle = await Serve.RunAsync(Deployment.For<Probe>().Bind(), "by-name", null);

        var id = await handle.Method("WhoAsync").CallAsync<string>();
        var same = await handle.Method("Who").CallAsync<string>();
        var missing = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Method("Nope").CallAsync<string>());

        Assert.Equal(id, same);
        Assert.Contains("has no public method 'Nope'", missing.Message);
        await Serve.DeleteAsync("by-name");
    }

    [Fact]
    public async Task CallAsync_StringForByteArrayParameter_FailsNamingTheArgumentInsteadOfDecodingBase64()
    {
        // A caller whose copy of the interface says string where the deployment's says byte[] (one side updated, not the
        // other), or a by-name call passing the wrong value: "not bytes" read as base64 is 6 bytes of garbage.
        var handle = await Serve.RunAsync(Deployment.For<ByteCounter>().Bind(), "bytes-typed", null);

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Method("LengthAsync").CallAsync<int>("not bytes"));
        var bytes = await handle.Method("LengthAsync").CallAsync<int>(new byte[] { 1, 2, 3 });

        Assert.Equal("System.ArgumentException", error.ExceptionType);
        Assert.Contains("argument 'data' must be Byte[], got String", error.Message);
        Assert.Equal(3, bytes);
        await Serve.DeleteAsync("bytes-typed");
    }

    [Fact]
    public async Task CallAsync_ByNameLeavingOffArgumentTheInterfaceDefaults_TakesTheDefault()
    {
        var handle = await Serve.RunAsync(Deployment.For<Serve.Tests.Replicas.Defaulted>().Bind(), "by-name-defaults", null);

        Assert.Equal(6, await handle.Method("AddAsync").CallAsync<int>(1));
        await Serve.DeleteAsync("by-name-defaults");
    }

    [Fact]
    public async Task RunAsync_BoundValueAndDependencyInjection_ConstructsInstance()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Bind("Bonjour"), "di", null);

        Assert.Equal("Bonjour at True", await handle.Remote.WhoAsync());
        await Serve.DeleteAsync("di");
    }

    private static async Task WaitUntilQueuedAsync(DeploymentHandle handle, int count)
    {
        var router = ((Serve.Routing.ReplicaDirectory)typeof(DeploymentHandle)
            .GetField("Runtime", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(handle)!).GetRouter(handle.Deployment);
        await Poll.UntilAsync(() => router.QueuedRequests >= count, TimeSpan.FromSeconds(10));
    }
}
