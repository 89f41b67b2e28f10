using Serve.Forwarding;

namespace Serve.Grpc;

/// <summary>
/// When a gRPC call whose body has not ended starts (one whose body has ended travels whole, in the call). A call's
/// headers do not say whether the client will send one message and end (unary, server streaming) or keep sending (client
/// streaming, bidirectional, where it may wait for the server's answers before it sends more, or at all); the method does,
/// and the deployment's replicas say which of their methods take a stream from the client (they know once their
/// endpoints are mapped; the gateway hears it with the replica set). Such a call starts at once, with whatever has
/// arrived: its client may be waiting for the server to speak first. For the others, and a method the gateway has not
/// heard of yet, what arrived says: a body that stops after a whole message without ending is a client that may be
/// waiting, and the call starts at once with that message; a body with no whole message yet (only headers, or a message
/// in the middle) is read on for <see cref="Window"/> at most, as a client in the middle of a message is still sending.
/// </summary>
/// <remarks>
/// Measured (Grpc.Net.Client 2.85 and h2load against Kestrel): a unary call's message and its end arrive in one read for
/// h2load always, for Grpc.Net.Client one at a time always and at 64 concurrent calls for 80–95 % of calls; the rest end
/// in an empty frame read 3 ms (median) later, and stream (their replica pulls the end). A bidirectional call's first
/// message arrives just after its headers, alone. Starting every call at once would make each unary call whose message
/// is not there yet pay a pull (about half as much gateway CPU again per call, measured): only the calls known to stream
/// from their client do.
/// </remarks>
internal static class GrpcRequestStartRule
{
    /// <summary>How long the gateway reads the body of a call to a method not known to take a stream from its client, while it has no whole message, before it streams it.</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromMilliseconds(5);

    /// <summary>How long the gateway may read a call's body before it starts the call: no time at all for a method that takes a stream from its client.</summary>
    /// <param name="clientStreaming">The method takes a stream from its client (client streaming, bidirectional), as its replicas said.</param>
    public static TimeSpan WindowFor(bool clientStreaming) => clientStreaming ? TimeSpan.Zero : Window;

    /// <summary>Whether a call whose body has not ended starts now, with what has arrived, rather than read on.</summary>
    /// <param name="arrived">The body's bytes read so far.</param>
    /// <param name="atMessageEnd">The bytes read end with a whole message (false with none yet, or in the middle of one).</param>
    /// <param name="waited">How long the gateway has been reading.</param>
    /// <param name="clientStreaming">The method takes a stream from its client, as its replicas said.</param>
    public static bool StartsNow(long arrived, bool atMessageEnd, TimeSpan waited, bool clientStreaming = false) =>
        atMessageEnd || arrived >= HttpForwarder.MaxInlineBody || waited >= WindowFor(clientStreaming);
}
