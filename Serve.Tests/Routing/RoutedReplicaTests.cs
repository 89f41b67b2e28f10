using Serve.Routing;

namespace Serve.Tests.Routing;

public sealed class RoutedReplicaTests
{
    [Fact]
    public void TryMarkGone_ManyCallsFailingAtOnce_OnlyOneMarksIt()
    {
        // Every call in flight on a replica whose connection broke fails at the same moment; the router forgets it, warns
        // and reports it unreachable for the one that marked it gone (two warnings 2 ms apart for one replica, before).
        const int Callers = 8;
        for (var round = 0; round < 50; round++)
        {
            var replica = new RoutedReplica("r1", null!);
            using var start = new Barrier(Callers);
            var marked = new bool[Callers];
            // Threads of their own: blocked at the barrier, pool threads would wait for the pool to grow.
            var threads = Enumerable.Range(0, Callers).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                marked[i] = replica.TryMarkGone();
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Equal(1, marked.Count(m => m));
            Assert.True(replica.Gone);
        }
    }

    [Fact]
    public void TryMarkGone_AlreadyLost_False()
    {
        var replica = new RoutedReplica("r1", null!);
        replica.MarkLost();

        Assert.False(replica.TryMarkGone());
    }
}
