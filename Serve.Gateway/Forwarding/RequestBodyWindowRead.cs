using System.IO.Pipelines;

namespace Serve.Forwarding;

/// <summary>One read of <see cref="RequestBodyWindow"/>: what arrived, or the read still waiting, or the client gone.</summary>
/// <param name="Result">What arrived, when neither <see cref="Pending"/> nor <see cref="ClientGone"/>.</param>
/// <param name="Pending">The window passed with the read still waiting for the client: the pulls take it over.</param>
/// <param name="ClientGone">The client went while the read waited; the read is ended.</param>
internal readonly record struct RequestBodyWindowRead(ReadResult Result, Task<ReadResult>? Pending, bool ClientGone);
