using Serve.Replicas;

namespace Serve.Tests.Replicas;

/// <summary>Which failures of a replica's handlers are news to its operator.</summary>
public sealed class HandlerFaultsTests
{
    [Fact]
    public void Judge_FirstOfItsKind_First()
    {
        var faults = new HandlerFaults();

        Assert.Equal(HandlerFault.First, faults.Judge("PredictAsync", new InvalidOperationException("a"), status: null, cancelled: false));
    }

    [Fact]
    public void Judge_SameHandlerTypeAndStatusAgain_Again()
    {
        var faults = new HandlerFaults();
        faults.Judge("PredictAsync", new InvalidOperationException("a"), 500, cancelled: false);

        Assert.Equal(HandlerFault.Again, faults.Judge("PredictAsync", new InvalidOperationException("another message"), 500, cancelled: false));
    }

    [Fact]
    public void Judge_SameRootInsideAWrapper_Again()
    {
        var faults = new HandlerFaults();
        faults.Judge("PredictAsync", new KeyNotFoundException(), null, cancelled: false);

        Assert.Equal(HandlerFault.Again, faults.Judge("PredictAsync", new AggregateException(new KeyNotFoundException()), null, cancelled: false));
    }

    [Fact]
    public void Judge_OtherHandlerTypeOrStatus_FirstOfEach()
    {
        var faults = new HandlerFaults();
        faults.Judge("PredictAsync", new InvalidOperationException(), 500, cancelled: false);

        Assert.Equal(HandlerFault.First, faults.Judge("EmbedAsync", new InvalidOperationException(), 500, cancelled: false));
        Assert.Equal(HandlerFault.First, faults.Judge("PredictAsync", new KeyNotFoundException(), 500, cancelled: false));
        Assert.Equal(HandlerFault.First, faults.Judge("PredictAsync", new InvalidOperationException(), 200, cancelled: false));
    }

    public static TheoryData<Exception> NotBugs() => new()
    {
        new OperationCanceledException(),
        new TaskCanceledException(),
        new TimeoutException(),
        new BackPressureException("front", 10),
        new RequestTimeoutException("front", "r1"),
        new InvalidOperationException("wrapped", new OperationCanceledException()),
    };

    [Theory]
    [MemberData(nameof(NotBugs))]
    public void Judge_CancellationTimeoutOrBackPressure_ExpectedEvenTheFirstTime(Exception error)
    {
        var faults = new HandlerFaults();

        Assert.Equal(HandlerFault.Expected, faults.Judge("PredictAsync", error, null, cancelled: false));
    }

    [Fact]
    public void Judge_CallCancelled_ExpectedWhateverItThrew()
    {
        var faults = new HandlerFaults();

        // A read that failed because the client went away.
        Assert.Equal(HandlerFault.Expected, faults.Judge("http", new IOException("gone"), 500, cancelled: true));
        // And it did not count as the kind's first.
        Assert.Equal(HandlerFault.First, faults.Judge("http", new IOException("gone"), 500, cancelled: false));
    }

    [Fact]
    public void Judge_PastMaxKinds_UntrackedButKnownKindsStillAgain()
    {
        var faults = new HandlerFaults();
        for (var i = 0; i < HandlerFaults.MaxKinds; i++)
        {
            Assert.Equal(HandlerFault.First, faults.Judge($"Method{i}", new InvalidOperationException(), null, cancelled: false));
        }

        Assert.Equal(HandlerFault.Untracked, faults.Judge("OneMore", new InvalidOperationException(), null, cancelled: false));
        Assert.Equal(HandlerFault.Untracked, faults.Judge("OneMore", new InvalidOperationException(), null, cancelled: false));
        Assert.Equal(HandlerFault.Again, faults.Judge("Method0", new InvalidOperationException(), null, cancelled: false));
    }
}
