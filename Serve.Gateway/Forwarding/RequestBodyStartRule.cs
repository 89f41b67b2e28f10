namespace Serve.Forwarding;

/// <summary>
/// What becomes of a request body whose length is not announced (HTTP/1.1 chunked; HTTP/2 and HTTP/3 without
/// content-length) as it arrives: nothing says how long it is, so what arrived says. One that ends within
/// <see cref="HttpForwarder.MaxInlineBody"/> travels inline, in the call, as a body announcing that length would (a
/// .NET client's <c>PostAsJsonAsync</c> sends its JSON so); one that passes it, or has not ended within
/// <see cref="Window"/>, streams, what arrived before travelling as its first bytes; one past the size limit is refused.
/// </summary>
/// <remarks>
/// The window bounds what a body that really streams (an upload, or a client that sends the rest once it sees the
/// response) waits before its exchange starts; a small body's end comes within it, often in the read that brings its
/// bytes, else a frame or a chunk later.
/// </remarks>
internal static class RequestBodyStartRule
{
    /// <summary>How long the gateway reads a body without a length, while it has not ended, before the exchange starts with the body streaming.</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromMilliseconds(5);

    /// <summary>What to do with a body without a length once <paramref name="arrived"/> bytes of it have.</summary>
    /// <param name="arrived">The body's bytes so far, with those of the read in hand.</param>
    /// <param name="ended">The read in hand ends the body.</param>
    /// <param name="waited">How long the gateway has been reading it.</param>
    /// <param name="limit">The largest body taken (<see cref="Hosting.ServeGatewayOptions.MaxRequestBodySize"/>).</param>
    public static RequestBodyStartAction Decide(long arrived, bool ended, TimeSpan waited, long limit) =>
        arrived > limit ? RequestBodyStartAction.TooLarge
        : arrived > HttpForwarder.MaxInlineBody ? RequestBodyStartAction.Stream
        : ended ? RequestBodyStartAction.Inline
        : waited >= Window ? RequestBodyStartAction.Stream
        : RequestBodyStartAction.ReadOn;
}
