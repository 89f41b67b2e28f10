using Serve.Replicas;

namespace Serve.Tests.Runtime;

public sealed class ReplicaAdmissionTests
{
    [Fact]
    public void TryEnter_NotOpened_Gone()
    {
        var admission = new ReplicaAdmission { MaxOngoing = 2 };

        Assert.Equal(CallAdmission.Gone, admission.TryEnter());
        Assert.Equal(0, admission.InFlight);
    }

    [Fact]
    public void TryEnter_AtMaxOngoing_FullAndNotCounted()
    {
        var admission = Opened(maxOngoing: 2);

        Assert.Equal(CallAdmission.Admitted, admission.TryEnter());
        Assert.Equal(CallAdmission.Admitted, admission.TryEnter());
        Assert.Equal(CallAdmission.Full, admission.TryEnter());
        Assert.Equal(2, admission.InFlight);
    }

    [Fact]
    public void TryEnter_AfterStopBegan_Gone()
    {
        var admission = Opened(maxOngoing: 2);
        _ = admission.StopAsync();

        Assert.Equal(CallAdmission.Gone, admission.TryEnter());
        Assert.Equal(0, admission.InFlight);
    }

    [Fact]
    public void StopAsync_NoCallRunning_CompletesAtOnce() =>
        Assert.True(Opened(maxOngoing: 2).StopAsync().IsCompletedSuccessfully);

    [Fact]
    public async Task StopAsync_CallsRunning_CompletesWhenTheLastLeavesAndAgainOnTheSameDrain()
    {
        var admission = Opened(maxOngoing: 2);
        Assert.Equal(CallAdmission.Admitted, admission.TryEnter());
        Assert.Equal(CallAdmission.Admitted, admission.TryEnter());

        var drained = admission.StopAsync();
        // A call refused meanwhile counts itself for a moment: it must not end the drain.
        Assert.Equal(CallAdmission.Gone, admission.TryEnter());
        admission.Leave();
        Assert.False(drained.IsCompleted);
        admission.Leave();

        await drained.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(drained, admission.StopAsync());
    }

    /// <summary>
    /// Calls on several threads while stops run, many times over: a call let in must be one the stop waits for. The stopper
    /// marks the instance disposed as soon as its drain completes; a call that finds it so ran on a disposed instance.
    /// More callers than cores: one preempted between a check and its count (were it checked first) wakes on a replica
    /// stopped meanwhile.
    /// </summary>
    [Fact]
    public async Task TryEnter_ConcurrentWithStop_EveryAdmittedCallIsDrainedBeforeTheStopEnds()
    {
        var callerCount = Math.Max(8, 4 * Environment.ProcessorCount);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var rounds = 0;
        var current = new Round(Opened(maxOngoing: int.MaxValue));
        var usedAfterStop = 0L;
        var done = false;
        var callers = Enumerable.Range(0, callerCount).Select(_ => Task.Factory.StartNew(() =>
        {
            var admitted = 0L;
            while (!Volatile.Read(ref done))
            {
                var round = Volatile.Read(ref current);
                if (round.Admission.TryEnter() != CallAdmission.Admitted)
                {
                    continue;
                }
                admitted++;
                if (Volatile.Read(ref round.Stopped))
                {
                    Interlocked.Increment(ref usedAfterStop);
                }
                round.Admission.Leave();
            }
            return admitted;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        while (DateTime.UtcNow < until || rounds < 1000)
        {
            rounds++;
            var round = Volatile.Read(ref current);
            var drained = round.Admission.StopAsync();
            if (!drained.IsCompleted)
            {
                await drained.WaitAsync(TimeSpan.FromSeconds(10));
            }
            Volatile.Write(ref round.Stopped, true);
            Volatile.Write(ref current, new Round(Opened(maxOngoing: int.MaxValue)));
        }
        Volatile.Write(ref done, true);
        var admitted = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(admitted.Sum() > 0);
        Assert.Equal(0, Interlocked.Read(ref usedAfterStop));
    }

    private static ReplicaAdmission Opened(int maxOngoing)
    {
        var admission = new ReplicaAdmission { MaxOngoing = maxOngoing };
        admission.Open();
        return admission;
    }

    private sealed class Round(ReplicaAdmission admission)
    {
        public readonly ReplicaAdmission Admission = admission;
        public bool Stopped;
    }
}
