namespace Serve.Benchmarks.Targets;

/// <summary>The typed face of <see cref="PayloadEcho"/>.</summary>
public interface IPayloadEcho
{
    Task<PlainPayload> EchoPlainAsync(PlainPayload payload);

    Task<CodecPayload> EchoCodecAsync(CodecPayload payload);
}
