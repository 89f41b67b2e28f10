using System.Reflection;
using Serve.Grains;
using Serve.Replicas;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>
/// A default replica stopped while a call holds its turn in a synchronous part and others wait queued on its turns:
/// past the drain's timeout, its disposal still waits its turn, after the synchronous part and after the calls queued
/// before it, which find the replica stopping instead of a disposed instance.
/// </summary>
[Collection(SingleSiloCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ReplicaTurnsStopTests(SingleSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IServeClient Serve => fixture.Serve;

    [Fact]
    public async Task StopAsync_CallsQueuedBehindABlockedSynchronousPartPastTheDrainTimeout_DisposalWaitsForThemAndNoneUsesTheDisposedInstance()
    {
        var (entered, release) = BlockingProbe.Prepare(nameof(StopAsync_CallsQueuedBehindABlockedSynchronousPartPastTheDrainTimeout_DisposalWaitsForThemAndNoneUsesTheDisposedInstance));
        // No drain at all: the stop goes straight to disposal while the call still holds the turn.
        var handle = await Serve.RunAsync<IBlockingProbe>(
            Deployment.For<BlockingProbe>().Options(o => o with { GracefulShutdownTimeout = TimeSpan.Zero }).Bind(), "turns-stop", null);
        var (_, replica) = await fixture.LocalReplicaAsync("turns-stop", nameof(BlockingProbe));
        var instance = await handle.Remote.UseAsync();

        var blocked = Task.Factory.StartNew(
            () => handle.Remote.BlockAsync(nameof(StopAsync_CallsQueuedBehindABlockedSynchronousPartPastTheDrainTimeout_DisposalWaitsForThemAndNoneUsesTheDisposedInstance)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var turns = Assert.IsType<ReplicaTurns>(await entered.WaitAsync(Patience));
        // Straight at the replica, as this silo's routers call it: each waits on its turns behind the blocked part.
        var queued = Enumerable.Range(0, 3)
            .Select(i => replica.InvokeAsync(new ReplicaRequest(nameof(IBlockingProbe.UseAsync), [], $"turns-stop-{i}", 0), CancellationToken.None).AsTask())
            .ToList();
        Assert.All(queued, q => Assert.False(q.IsCompleted));
        Assert.Equal(queued.Count, Scheduled(turns));

        // The stop closes the replica's admission, finds the drain over (it has no time), and queues the disposal on its
        // turns, behind the queued calls: all before the blocked part ends. A disposal that did not wait its turn would
        // never be queued there.
        var delete = Serve.DeleteAsync("turns-stop");
        await UntilAsync(() => Scheduled(turns) == queued.Count + 1, "the disposal to wait on the replica's turns behind the queued calls");
        Assert.False(BlockingProbe.DisposedInsideACall.ContainsKey(instance), "The instance was disposed while a call's synchronous part ran.");
        release.Set();

        Assert.Equal(instance, await blocked.WaitAsync(Patience));
        var outcomes = await Task.WhenAll(queued).WaitAsync(Patience);
        await delete.WaitAsync(Patience);
        // Each queued call ran before the disposal, and found the replica stopping.
        Assert.All(outcomes, r => Assert.Equal(ReplicaOutcome.RejectedGone, r.Outcome));
        Assert.False(BlockingProbe.DisposedInsideACall[instance], "The instance was disposed while a call's synchronous part ran.");
        Assert.False(BlockingProbe.UsedAfterDispose.ContainsKey(instance), "A queued call used the instance after its disposal.");
    }

    /// <summary>The pieces waiting on <paramref name="turns"/>, as a debugger sees them (<c>TaskScheduler.GetScheduledTasks</c>).</summary>
    private static int Scheduled(ReplicaTurns turns) =>
        ((IEnumerable<Task>)typeof(TaskScheduler).GetMethod("GetScheduledTasks", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(turns, null)!).Count();

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {Patience} for {what}.");
            }
            await Task.Delay(10);
        }
    }
}
