using System.Buffers;

namespace Serve.Exchange;

/// <summary>One frame read from a data-plane connection; its payload lives in the reader's buffer until it advances.</summary>
internal readonly record struct ExchangeFrame(ExchangeFrameType Type, long CallId, ReadOnlySequence<byte> Payload);
