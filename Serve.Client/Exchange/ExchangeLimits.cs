namespace Serve.Exchange;

/// <summary>The data plane's bounds, from <c>Serve:Silo</c> (validated at start).</summary>
/// <param name="MaxFrameBytes">The largest frame either end reads or writes; a peer's larger frame closes its connection.</param>
/// <param name="MaxCallsInFlight">Calls one connection may have running on a silo; past it, the silo answers new calls as full (the router tries again, elsewhere or later) and goes on reading, so cancels still arrive.</param>
internal sealed record ExchangeLimits(int MaxFrameBytes, int MaxCallsInFlight)
{
    /// <summary>Orleans' own default for a message body: an answer Orleans carries fits in a frame too.</summary>
    public const int DefaultMaxFrameBytes = 100 * 1024 * 1024;

    public const int DefaultMaxCallsInFlight = 4096;

    public static ExchangeLimits Default { get; } = new(DefaultMaxFrameBytes, DefaultMaxCallsInFlight);
}
