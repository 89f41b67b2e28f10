namespace Serve.Exchange;

/// <summary>The refusals <see cref="ExchangeRefusalLog"/> folded during one interval, for one log line.</summary>
/// <param name="Count">How many, of every kind.</param>
/// <param name="Over">From the first of them to the end of the interval.</param>
/// <param name="TooManyConnections">Those over <c>Serve:Silo:ExchangeMaxConnections</c>.</param>
/// <param name="TooManyHandshakes">Those over <c>Serve:Silo:ExchangeMaxHandshakes</c>.</param>
/// <param name="HandshakeFailed">Those whose TLS handshake failed or timed out.</param>
/// <param name="LastPeer">Where the last came from.</param>
/// <param name="LastReason">Why the last was refused.</param>
internal readonly record struct ExchangeRefusalSummary(
    int Count, TimeSpan Over, int TooManyConnections, int TooManyHandshakes, int HandshakeFailed, string LastPeer, string LastReason)
{
    /// <summary>The kinds with their counts, e.g. <c>150 over Serve:Silo:ExchangeMaxConnections, 3 failed the handshake</c>.</summary>
    public string Kinds()
    {
        List<string> kinds = [];
        if (TooManyConnections > 0)
        {
            kinds.Add($"{TooManyConnections} over Serve:Silo:ExchangeMaxConnections");
        }
        if (TooManyHandshakes > 0)
        {
            kinds.Add($"{TooManyHandshakes} over Serve:Silo:ExchangeMaxHandshakes");
        }
        if (HandshakeFailed > 0)
        {
            kinds.Add($"{HandshakeFailed} failed the handshake");
        }
        return string.Join(", ", kinds);
    }
}
