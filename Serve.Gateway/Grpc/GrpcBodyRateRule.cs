namespace Serve.Grpc;

/// <summary>
/// Whether a gRPC call's body keeps Kestrel's minimum data rate (<c>Serve:Http:MinRequestBodyDataRate</c>). A method
/// that takes a stream from its client (client streaming, bidirectional) does not: its client may wait for answers, or a
/// user, before it sends more, and only the call's deadline bounds it. Every other call (unary, server streaming) sends
/// one message and ends, so it keeps the rate, as Grpc.AspNetCore keeps it for such calls: without it, a client that
/// sends a call's headers and never its message holds a replica's slot for as long as its connection lasts, and a few
/// hundred such calls on one connection, with no byte after their headers, leave the application nothing to serve others.
/// A method nobody has said anything about yet (no running replica has reported its methods) is taken as streaming, as
/// before: a bidirectional client that waits for the server to speak first must not be cut.
/// </summary>
internal static class GrpcBodyRateRule
{
    /// <param name="takesClientStream">Whether the method takes a stream from its client, as its replicas said; null when none has said.</param>
    public static bool KeepsMinDataRate(bool? takesClientStream) => takesClientStream == false;
}
