using System.Buffers;

namespace Serve.Exchange;

/// <summary>
/// Each thread's buffer for the payload of the frame it is writing, at either end of a data-plane connection: kept from
/// frame to frame, and dropped once a large frame grew it, so one big answer does not stay resident on a pool thread.
/// </summary>
internal static class ExchangeBuffers
{
    /// <summary>A buffer grown past this is dropped after its frame rather than kept.</summary>
    private const int KeptBytes = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>This thread's buffer, empty; hand it back with <see cref="Return"/> once its frame is written.</summary>
    public static ArrayBufferWriter<byte> Rent() => t_buffer ??= new ArrayBufferWriter<byte>(1024);

    /// <summary>Empties <paramref name="buffer"/> for the thread's next frame, or drops it when a large frame grew it.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > KeptBytes)
        {
            t_buffer = null;
        }
        else
        {
            buffer.ResetWrittenCount();
        }
    }
}
