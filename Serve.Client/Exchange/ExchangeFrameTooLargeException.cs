namespace Serve.Exchange;

/// <summary>A data-plane frame over the configured limit (<c>Serve:Silo:ExchangeMaxFrameBytes</c>).</summary>
internal sealed class ExchangeFrameTooLargeException(long size, int limit)
    : ServeException($"A data-plane frame of {size} bytes is over the limit of {limit} bytes (Serve:Silo:ExchangeMaxFrameBytes).")
{
    public long Size { get; } = size;

    public int Limit { get; } = limit;
}
