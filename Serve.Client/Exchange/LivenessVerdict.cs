namespace Serve.Exchange;

/// <summary>What a data-plane connection does after a look at its peer's liveness (<see cref="ExchangeLiveness"/>).</summary>
internal enum LivenessVerdict
{
    /// <summary>Nothing: the peer was heard from lately, or a ping is on its way and still has time.</summary>
    Wait,

    /// <summary>Send a ping: nothing came from the peer for a while.</summary>
    Ping,

    /// <summary>A ping went unanswered past its deadline: the peer is unresponsive, and the connection is broken.</summary>
    Unresponsive,
}
