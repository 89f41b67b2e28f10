namespace Serve.Exchange;

/// <summary>The refusals <see cref="ExchangeRefusalLog"/> folded during one interval, for one log line.</summary>
/// <param name="Count">How many, of every kind.</param>
/// <param name="Over">From the first of them to the end of the interval.</param>
/// <param name="Kinds">The kinds with their counts, e.g. <c>150 over Serve:Silo:ExchangeMaxConnections, 3 failed the handshake</c>.</param>
/// <param name="LastPeer">Where the last came from.</param>
/// <param name="LastReason">Why the last was refused.</param>
internal readonly record struct ExchangeRefusalSummary(int Count, TimeSpan Over, string Kinds, string LastPeer, string LastReason)
{
    /// <summary>How a summary names refusals of <paramref name="kind"/>, after their count.</summary>
    public static string Describe(ExchangeRefusal kind) => kind switch
    {
        ExchangeRefusal.TooManyConnections => "over Serve:Silo:ExchangeMaxConnections",
        ExchangeRefusal.TooManyHandshakes => "over Serve:Silo:ExchangeMaxHandshakes",
        ExchangeRefusal.TooManyHandshakesFromAddress => "over Serve:Silo:ExchangeMaxHandshakesPerAddress",
        ExchangeRefusal.HandshakeFailed => "failed the handshake",
        ExchangeRefusal.NoPreface => "sent no preface",
        ExchangeRefusal.UnsupportedVersion => "spoke another data-plane version",
        ExchangeRefusal.FrameTooLarge => "sent a frame over Serve:Silo:ExchangeMaxFrameBytes",
        ExchangeRefusal.BadFrame => "sent a frame that broke the wire's rules",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "An admitted connection is not a refusal."),
    };
}
