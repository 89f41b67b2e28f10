namespace Serve.Benchmarks.Http;

/// <summary>
/// One run of bidirectional calls one after another: the median and 99th percentile time from a call's first message
/// to its first reply, and from its second message to the second reply (the call streaming by then).
/// </summary>
internal sealed record GrpcFirstReplyResult(string Scenario, int Round, int Calls, double FirstP50Ms, double FirstP99Ms, double NextP50Ms, double NextP99Ms, long Errors);
