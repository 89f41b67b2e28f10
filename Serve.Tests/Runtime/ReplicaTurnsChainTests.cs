using Serve.Replicas;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>
/// <see cref="ReplicaTurns"/> in a cluster where same-silo calls run on their callers' threads: a call back into a replica
/// from inside its own synchronous part, reaching its turns from the very thread that holds them, waits for that part to
/// end; a long chain of such calls descends on one thread while its links are idle, queues where its stack runs short or
/// a link is busy, and keeps every link to one piece at a time.
/// </summary>
[Collection(SingleSiloCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ReplicaTurnsChainTests(SingleSiloFixture fixture)
{
    private const int ChainLength = 60;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private IServeClient Serve => fixture.Serve;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CallAsync_CallBackReachesTheCallersTurnsOnItsOwnThread_WaitsForTheSynchronousPartInsteadOfNesting(bool viaRelay)
    {
        var application = viaRelay ? "nest-relay" : "nest-self";
        var handle = await Serve.RunAsync<INestProbe>(
            Deployment.For<NestProbe>().Bind(Deployment.For<NestRelay>().Bind(application), application), application, null);

        // Each from a thread of its own that does nothing else: the probe runs on it, the relay (or the probe's own
        // handle) under it, and the call back comes to the probe's turns from the thread that holds them.
        var answers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await OnFreeThreadAsync(() => handle.Remote.RoundTripAsync(viaRelay)).WaitAsync(Patience));
        }

        Assert.All(answers, a => Assert.StartsWith("after", a, StringComparison.Ordinal));
        if (viaRelay)
        {
            // The guard only bites if the call back came from inside the probe's synchronous part, on its thread: once the
            // routers know their replicas (the first calls may wait for that), every round trip does.
            var inline = answers.Count(a => a.EndsWith("|inline", StringComparison.Ordinal));
            Assert.True(inline >= 10, $"{inline} of 20 calls back came from inside the probe's synchronous part: {string.Join(", ", answers)}");
        }
        await Serve.DeleteAsync(application);
    }

    [Fact]
    public async Task CallAsync_LongChainOfIdleSameSiloReplicas_DescendsOnTheCallersThreadOnePieceAtATime()
    {
        var head = await RunChainAsync("chain-idle");

        // Warm: each link's router learns its next link on its first call, which may wait for that.
        var warm = await OnFreeThreadAsync(() => ChainLink.DescendFromHereAsync(head)).WaitAsync(Patience);
        Assert.Equal(ChainLength, warm.Links);
        var traces = new List<ChainTrace>();
        for (var i = 0; i < 5; i++)
        {
            traces.Add(await OnFreeThreadAsync(() => ChainLink.DescendFromHereAsync(head)).WaitAsync(Patience));
        }

        Assert.All(traces, t => Assert.Equal(new ChainTrace(ChainLength, ChainLength, -1, 1), t));
        await Serve.DeleteAsync("chain-idle");
    }

    [Fact]
    public async Task CallAsync_LongChainFromAThreadWithLittleStack_QueuesWhereTheStackRunsShortAndCompletes()
    {
        var head = await RunChainAsync("chain-stack");
        await OnFreeThreadAsync(() => ChainLink.DescendFromHereAsync(head)).WaitAsync(Patience);

        // 512 KiB, of which the runtime keeps 128 KiB or so in reserve: enough for the first links (each takes
        // ChainLink.Padding and its frames), far from enough for 60, so the chain must go on queued (on a thread-pool thread,
        // with a stack of its own) where the stack runs short.
        var traces = new List<ChainTrace>();
        for (var i = 0; i < 3; i++)
        {
            traces.Add(await OnFreeThreadAsync(() => ChainLink.DescendFromHereAsync(head), stackSize: 512 * 1024).WaitAsync(Patience));
        }

        Assert.All(traces, t =>
        {
            Assert.Equal(ChainLength, t.Links);
            Assert.Equal(1, t.MostInside);
            Assert.InRange(t.Inline, 1, ChainLength - 1);
            // The first links ran on the caller's small stack; the hop came where it ran short, not at the head.
            Assert.InRange(t.FirstHop, 1, ChainLength - 1);
        });
        await Serve.DeleteAsync("chain-stack");
    }

    [Fact]
    public async Task CallAsync_LongChainUnderConcurrentCallers_EveryLinkRunsOnePieceAtATimeAndEveryCallCompletes()
    {
        const int Callers = 8;
        const int CallsEach = 10;
        var head = await RunChainAsync("chain-load");
        await OnFreeThreadAsync(() => ChainLink.DescendFromHereAsync(head)).WaitAsync(Patience);

        // Each caller on a thread of its own, one chain after another, all starting each round together: one takes the
        // first link on its own thread; the others find it busy (their calls queue on its turns) and, later down the chain,
        // busy or idle links, in a mix no two runs share.
        using var together = new Barrier(Callers);
        var callers = Enumerable.Range(0, Callers).Select(_ => OnFreeThreadAsync(() =>
        {
            var traces = new List<ChainTrace>();
            for (var i = 0; i < CallsEach; i++)
            {
                if (!together.SignalAndWait(Patience))
                {
                    throw new TimeoutException("The other callers did not come to the round.");
                }
                // Blocks this thread only (its own, not the thread pool's), which the chain's queued links do not need.
                traces.Add(ChainLink.DescendFromHereAsync(head).WaitAsync(Patience).GetAwaiter().GetResult());
            }
            return Task.FromResult(traces);
        }));
        var traces = (await Task.WhenAll(callers).WaitAsync(Patience)).SelectMany(t => t).ToList();

        Assert.Equal(Callers * CallsEach, traces.Count);
        Assert.All(traces, t => Assert.Equal(ChainLength, t.Links));
        Assert.All(traces, t => Assert.Equal(1, t.MostInside));
        // Mixed: some links ran on their caller's thread, and some were queued.
        var inline = traces.Sum(t => t.Inline);
        Assert.InRange(inline, 1, (Callers * CallsEach * ChainLength) - 1);
        await Serve.DeleteAsync("chain-load");
    }

    /// <summary>Runs a chain of <see cref="ChainLength"/> <see cref="ChainLink"/> deployments, each bound to the next, and answers its head.</summary>
    private async Task<DeploymentHandle<IChainLink>> RunChainAsync(string application)
    {
        var chain = Deployment.For<ChainLink>().Options(o => o with { Name = $"link{ChainLength - 1}" }).Bind((object?)null);
        for (var i = ChainLength - 2; i >= 0; i--)
        {
            var name = $"link{i}";
            chain = Deployment.For<ChainLink>().Options(o => o with { Name = name }).Bind(chain);
        }
        return await Serve.RunAsync<IChainLink>(chain, application, null);
    }

    /// <summary>Runs <paramref name="call"/> on a new thread that does nothing else (no scheduler, no grain: free to lend itself).</summary>
    private static Task<T> OnFreeThreadAsync<T>(Func<Task<T>> call, int stackSize = 0)
    {
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                started.SetResult(call());
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }, stackSize) { IsBackground = true };
        thread.UnsafeStart();
        return started.Task.Unwrap();
    }
}
