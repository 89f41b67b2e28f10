namespace Serve.Forwarding;

/// <summary>What reading a request body gave: the body when <see cref="Status"/> is Complete, else why not.</summary>
/// <param name="Status">How reading ended.</param>
/// <param name="Body">The body, whole; empty unless <see cref="Status"/> is Complete.</param>
/// <param name="StatusCode">For <see cref="RequestBodyReadStatus.Rejected"/>: the status Kestrel gives the fault (400, 408).</param>
/// <param name="Reason">For <see cref="RequestBodyReadStatus.Rejected"/>: Kestrel's words for the fault.</param>
internal readonly record struct RequestBodyRead(RequestBodyReadStatus Status, byte[] Body, int StatusCode = 0, string? Reason = null);
