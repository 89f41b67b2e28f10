using Orleans.Runtime.Messaging;
using Serve.Grains;
using Serve.Routing;

namespace Serve.Tests.Routing;

public sealed class RetryPolicyTests
{
    // The rows of the decision (CallSetback, RetryAction and RetryReason are internal: named here by their names).
    [Theory]
    // Refused: the call did not run, whatever it is.
    [InlineData("RejectedFull", false, false, "BackOff", null)]
    [InlineData("RejectedFull", true, false, "BackOff", null)]
    [InlineData("RejectedGone", false, false, "RetryNow", "ReplicaGone")]
    [InlineData("RejectedGone", true, false, "RetryNow", "ReplicaGone")]
    // Never delivered: cannot have run.
    [InlineData("NeverDelivered", false, false, "RetryNow", "NeverDelivered")]
    [InlineData("NeverDelivered", true, false, "RetryNow", "NeverDelivered")]
    // Lost after delivery: may have run, so again only when it may run twice.
    [InlineData("Lost", false, false, "FailUnavailable", null)]
    [InlineData("Lost", true, false, "RetryNow", "IdempotentReplay")]
    // A stream under way cannot go on elsewhere without repeating items, idempotent or not.
    [InlineData("Lost", true, true, "FailUnavailable", null)]
    [InlineData("Lost", false, true, "FailUnavailable", null)]
    [InlineData("NeverDelivered", true, true, "FailUnavailable", null)]
    public void Decide_CallerStillWaiting_RetriesOnlyWhatCannotHaveRunOrMayRunTwice(
        string setback, bool idempotent, bool itemsDelivered, string action, string? reason)
    {
        var expected = new RetryDecision(Enum.Parse<RetryAction>(action), reason is null ? null : Enum.Parse<RetryReason>(reason));

        var decided = RetryPolicy.Decide(Enum.Parse<CallSetback>(setback), idempotent, itemsDelivered, deadlinePassed: false, cancelled: false);

        Assert.Equal(expected, decided);
    }

    [Theory]
    [InlineData(nameof(CallSetback.RejectedFull))]
    [InlineData(nameof(CallSetback.RejectedGone))]
    [InlineData(nameof(CallSetback.NeverDelivered))]
    [InlineData(nameof(CallSetback.Lost))]
    public void Decide_DeadlinePassed_FailsWithTimeout(string name)
    {
        var setback = Enum.Parse<CallSetback>(name);
        Assert.Equal(RetryAction.FailTimeout, RetryPolicy.Decide(setback, idempotent: true, itemsDelivered: false, deadlinePassed: true, cancelled: false).Action);
        Assert.Equal(RetryAction.FailTimeout, RetryPolicy.Decide(setback, idempotent: false, itemsDelivered: true, deadlinePassed: true, cancelled: false).Action);
    }

    [Theory]
    [InlineData(nameof(CallSetback.RejectedFull))]
    [InlineData(nameof(CallSetback.NeverDelivered))]
    [InlineData(nameof(CallSetback.Lost))]
    public void Decide_CallerCancelled_GivesUpEvenPastTheDeadline(string name)
    {
        var setback = Enum.Parse<CallSetback>(name);
        Assert.Equal(RetryAction.GiveUp, RetryPolicy.Decide(setback, idempotent: true, itemsDelivered: false, deadlinePassed: false, cancelled: true).Action);
        Assert.Equal(RetryAction.GiveUp, RetryPolicy.Decide(setback, idempotent: true, itemsDelivered: false, deadlinePassed: true, cancelled: true).Action);
    }

    [Fact]
    public void Classify_Exceptions_NeverDeliveredLostOrTheCallsOwn()
    {
        Assert.Equal(CallSetback.NeverDelivered, RetryPolicy.Classify(new ConnectionFailedException("Unable to connect"), replicaLost: false));
        // Orleans breaks the calls in flight to a silo declared dead with this: they may have run.
        Assert.Equal(CallSetback.Lost, RetryPolicy.Classify(new SiloUnavailableException("The target silo became unavailable"), replicaLost: false));
        Assert.Equal(CallSetback.Lost, RetryPolicy.Classify(new TimeoutException(), replicaLost: false));
        // Cancelled by the replica's loss (its LostToken): the loss, not a cancellation.
        Assert.Equal(CallSetback.Lost, RetryPolicy.Classify(new OperationCanceledException(), replicaLost: true));
        Assert.Null(RetryPolicy.Classify(new OperationCanceledException(), replicaLost: false));
        Assert.Null(RetryPolicy.Classify(new InvalidOperationException(), replicaLost: false));
    }

    [Fact]
    public void Classify_DataPlaneConnectionEnded_LostOnceSentNeverDeliveredBefore()
    {
        // Queued on the connection: the replica may have run it, as with a silo Orleans declared dead.
        Assert.Equal(CallSetback.Lost, RetryPolicy.Classify(new Serve.Exchange.ExchangeLostException("10.0.0.1:1", mayHaveArrived: true, null), replicaLost: false));
        // Never left this process: it may go elsewhere, idempotent or not.
        Assert.Equal(CallSetback.NeverDelivered, RetryPolicy.Classify(new Serve.Exchange.ExchangeLostException("10.0.0.1:1", mayHaveArrived: false, null), replicaLost: false));
    }

    [Fact]
    public void Classify_Outcomes_RefusalsOnly()
    {
        Assert.Equal(CallSetback.RejectedFull, RetryPolicy.Classify(ReplicaOutcome.RejectedFull));
        Assert.Equal(CallSetback.RejectedGone, RetryPolicy.Classify(ReplicaOutcome.RejectedGone));
        Assert.Null(RetryPolicy.Classify(ReplicaOutcome.Completed));
        Assert.Null(RetryPolicy.Classify(ReplicaOutcome.Faulted));
    }

    [Fact]
    public void Next_FullBackoff_DoublesFromOneMillisecondUpToAHundred()
    {
        var backoff = new FullBackoff();

        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 100, 100, 100], delays);
    }
}
