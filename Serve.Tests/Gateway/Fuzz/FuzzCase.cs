namespace Serve.Tests.Gateway.Fuzz;

/// <summary>
/// One malformed or odd exchange with the gateway over a raw socket: bytes written in pieces, then the answers read
/// until there are <see cref="Answers"/> of them or the gateway closes the connection.
/// </summary>
/// <param name="Class">The family of oddity, for the counts: <c>broken-chunking</c>, <c>pipelining</c>…</param>
/// <param name="Writes">The bytes, written one piece after another.</param>
/// <param name="Answers">Answers that end the exchange if the gateway took every request as complete (several for a pipeline).</param>
/// <param name="Truncated">
/// The request stops short of what it announced (a body shorter than its length, chunks without their end, a line
/// without its end): the client half-closes, saying it has nothing more, instead of leaving the gateway waiting.
/// </param>
/// <param name="Abort">Reset the connection after the writes without reading: a client gone mid-request.</param>
/// <param name="Head">The request is a HEAD: its answer has no body whatever its headers say.</param>
/// <param name="DeliberateFailure">The application is asked to throw: a 500 is its doing, not the platform's.</param>
public sealed record FuzzCase(string Class, IReadOnlyList<byte[]> Writes, int Answers = 1, bool Truncated = false, bool Abort = false, bool Head = false, bool DeliberateFailure = false);
