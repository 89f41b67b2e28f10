namespace Serve.Benchmarks.Http;

/// <summary>
/// One run of client-streaming calls whose messages come over time: calls and messages per second, the median and 99th
/// percentile from the call's last message (its end of stream) to its answer, and the CPU this process (client and
/// server in one) spent per message.
/// </summary>
internal sealed record GrpcStreamingResult(string Scenario, int Concurrency, int Round, double CallsPerSecond, double MessagesPerSecond,
    double AnswerP50Ms, double AnswerP99Ms, double CpuMicrosPerMessage, long Errors);
