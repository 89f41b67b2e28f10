using System.IO.Pipelines;

namespace Serve.Forwarding;

/// <summary>
/// What the gateway read of a request body without a length before forwarding it (<see cref="RequestBodyStartReader"/>):
/// the whole body, or its first bytes while the rest streams; else why the request is refused.
/// </summary>
/// <param name="Status">Complete when <see cref="Body"/> is the body or its first bytes; else why the request is refused.</param>
/// <param name="Body">The body, or with <see cref="Streams"/> its first bytes; taken from the budget, which the caller gives back.</param>
/// <param name="Streams">The body goes on: the replica pulls the rest as its handler reads it.</param>
/// <param name="Pending">With <see cref="Streams"/>: a read of the body still waiting for the client, which the pulls take over.</param>
/// <param name="StatusCode">For <see cref="RequestBodyReadStatus.Rejected"/>: the status Kestrel gives the fault (400, 408).</param>
/// <param name="Reason">For <see cref="RequestBodyReadStatus.Rejected"/>: Kestrel's words for the fault.</param>
internal readonly record struct RequestBodyStart(RequestBodyReadStatus Status, byte[] Body, bool Streams = false, Task<ReadResult>? Pending = null, int StatusCode = 0,
    string? Reason = null);
