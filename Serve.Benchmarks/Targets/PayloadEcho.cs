namespace Serve.Benchmarks.Targets;

/// <summary>Returns the record it is given: the call's cost is routing, transport and the record's trips both ways.</summary>
public sealed class PayloadEcho : IPayloadEcho
{
    public Task<PlainPayload> EchoPlainAsync(PlainPayload payload) => Task.FromResult(payload);

    public Task<CodecPayload> EchoCodecAsync(CodecPayload payload) => Task.FromResult(payload);
}
