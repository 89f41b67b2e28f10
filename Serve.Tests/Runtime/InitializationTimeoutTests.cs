using Microsoft.Extensions.DependencyInjection;
using Serve.Placement;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>
/// A replica whose initialization outlasts the deployment's <see cref="DeploymentOptions.InitializationTimeout"/> fails its
/// start, named as such, whether or not its code heeds the token it was given: the token is cancelled, the failure counts
/// as any failed start (retried, then DEPLOY_FAILED), and the replica's room on its silo is given back.
/// </summary>
[Collection(SingleSiloCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class InitializationTimeoutTests(SingleSiloFixture fixture)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_InitializeAsyncOutlastsTheTimeout_DeployFailedNamingTheOptionTokenCancelledRoomFreed(bool heedsToken)
    {
        var name = heedsToken ? "init-hangs-heeding" : "init-hangs-ignoring";
        var app = Deployment.For<HangingInitialize>()
            .Options(o => o with { InitializationTimeout = TimeSpan.FromSeconds(1), MaxConstructorRetryCount = 2 })
            .Bind(name, heedsToken);

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => fixture.Serve.RunAsync(app, name, null));

        Assert.Contains($"Deployment '{name}/HangingInitialize': the replica did not finish initializing within InitializationTimeout (1 s", error.Reason);
        // Said in a sentence or two, not with Orleans' dump of the message that timed out.
        Assert.True(error.Reason.Length < 600, error.Reason);
        var ledger = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<SiloResourceLedger>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while ((ledger.Snapshot().Any(r => r.Deployment.StartsWith($"{name}/", StringComparison.Ordinal))
            || (heedsToken && !HangingInitialize.Cancelled.ContainsKey(name))) && !deadline.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None);
        }
        Assert.DoesNotContain(ledger.Snapshot(), r => r.Deployment.StartsWith($"{name}/", StringComparison.Ordinal));
        Assert.Equal(heedsToken, HangingInitialize.Cancelled.ContainsKey(name));
        await fixture.Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task DeleteAsync_ReplicaStillInitializing_EndsAtOnceItsInitializationCancelledRoomFreed()
    {
        const string Name = "init-deleted";
        // A model that loads for minutes: the delete must not wait for it.
        var app = Deployment.For<HangingInitialize>().Options(o => o with { InitializationTimeout = TimeSpan.FromMinutes(10) }).Bind(Name, true);
        using var stopWaiting = new CancellationTokenSource();
        var running = fixture.Serve.RunAsync(app, Name, null, stopWaiting.Token);
        await Poll.UntilAsync(() => HangingInitialize.Initializing.ContainsKey(Name), TimeSpan.FromSeconds(30));

        await fixture.Serve.DeleteAsync(Name).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(HangingInitialize.Cancelled.ContainsKey(Name), "its InitializeAsync's token did not fire");
        var ledger = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<SiloResourceLedger>();
        Assert.DoesNotContain(ledger.Snapshot(), r => r.Deployment.StartsWith($"{Name}/", StringComparison.Ordinal));
        await stopWaiting.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => running);
    }

    [Fact]
    public async Task DeleteAsync_ConstructorHoldsItsThread_EndsWithoutWaitingForItLateInstanceDisposed()
    {
        const string Name = "ctor-blocks-deleted";
        // A model loaded synchronously in a constructor, for minutes: the delete must not wait for it.
        var app = Deployment.For<BlockingConstructor>().Options(o => o with { InitializationTimeout = TimeSpan.FromMinutes(10) }).Bind(Name);
        using var stopWaiting = new CancellationTokenSource();
        var running = fixture.Serve.RunAsync(app, Name, null, stopWaiting.Token);
        try
        {
            await Poll.UntilAsync(() => BlockingConstructor.Constructing.ContainsKey(Name), TimeSpan.FromSeconds(30));

            await fixture.Serve.DeleteAsync(Name).WaitAsync(TimeSpan.FromSeconds(30));

            var ledger = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<SiloResourceLedger>();
            Assert.DoesNotContain(ledger.Snapshot(), r => r.Deployment.StartsWith($"{Name}/", StringComparison.Ordinal));
            Assert.False(BlockingConstructor.Disposed.ContainsKey(Name));
        }
        finally
        {
            BlockingConstructor.Open(Name);
        }
        // The constructor returns at last: the instance nobody wants is disposed, not left running.
        await Poll.UntilAsync(() => BlockingConstructor.Disposed.ContainsKey(Name), TimeSpan.FromSeconds(30));
        await stopWaiting.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => running);
    }

    [Fact]
    public async Task RunAsync_ConstructorHoldsItsThreadPastTheTimeout_DeployFailedNamingTheOption()
    {
        const string Name = "ctor-blocks-timeout";
        var app = Deployment.For<BlockingConstructor>()
            .Options(o => o with { InitializationTimeout = TimeSpan.FromSeconds(1), MaxConstructorRetryCount = 1 })
            .Bind(Name);
        try
        {
            // Bounded by the test: before, the start waited for the constructor for good.
            var error = await Assert.ThrowsAsync<DeployFailedException>(() => fixture.Serve.RunAsync(app, Name, null).WaitAsync(TimeSpan.FromSeconds(60)));

            Assert.Contains($"Deployment '{Name}/BlockingConstructor': the replica did not finish initializing within InitializationTimeout (1 s", error.Reason);
            Assert.Contains("still held its thread", error.Reason);
            Assert.False(BlockingConstructor.Disposed.ContainsKey(Name));
        }
        finally
        {
            BlockingConstructor.Open(Name);
        }
        await Poll.UntilAsync(() => BlockingConstructor.Disposed.ContainsKey(Name), TimeSpan.FromSeconds(30));
        await fixture.Serve.DeleteAsync(Name);
    }
}
