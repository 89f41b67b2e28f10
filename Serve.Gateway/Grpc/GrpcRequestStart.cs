using System.IO.Pipelines;
using Serve.Forwarding;

namespace Serve.Grpc;

/// <summary>
/// What the gateway read of a gRPC call's request before forwarding it: the whole body (it ended with what arrived: a
/// unary or server-streaming call, mostly), or its first bytes while the rest streams (a client-streaming or
/// bidirectional call, or a large message: <see cref="GrpcRequestStartRule"/>), with the read still waiting for the
/// client; else why the call is refused.
/// </summary>
/// <param name="Status">Complete when <see cref="Body"/> is the body or its first bytes; else why the call is refused.</param>
/// <param name="Body">The body, or with <see cref="Streams"/> its first bytes; taken from the budget, which the caller gives back.</param>
/// <param name="Streams">The body goes on: the replica pulls the rest as its handler reads it.</param>
/// <param name="Pending">With <see cref="Streams"/>: the read of the body still waiting for the client, which the pulls take over.</param>
/// <param name="Reason">For <see cref="RequestBodyReadStatus.Rejected"/> or TooLarge: what was wrong.</param>
internal readonly record struct GrpcRequestStart(RequestBodyReadStatus Status, byte[] Body, bool Streams = false, Task<ReadResult>? Pending = null, string? Reason = null);
