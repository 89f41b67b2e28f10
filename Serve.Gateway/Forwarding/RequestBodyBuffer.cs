using System.Buffers;

namespace Serve.Forwarding;

/// <summary>
/// A request body's bytes as they arrive, in chunks rented from the shared pool that grow with what has arrived
/// (each at most the size of all before it, up to 1 MiB), so a body holds at most about twice its bytes, whatever its
/// Content-Length says. Every chunk is taken from the <see cref="RequestBodyBudget"/> before it is rented.
/// </summary>
internal sealed class RequestBodyBuffer(RequestBodyBudget budget) : IDisposable
{
    internal const int MinChunk = 256;
    private const int MaxChunk = 1024 * 1024;

    private readonly List<byte[]> _chunks = [];
    private int _lastUsed;

    /// <summary>Bytes appended.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes of pooled chunks held, all taken from the budget.</summary>
    public long Capacity { get; private set; }

    /// <summary>Copies <paramref name="data"/> in; false when the budget cannot hold it (what fitted stays).</summary>
    public bool TryAppend(ReadOnlySequence<byte> data)
    {
        foreach (var segment in data)
        {
            var span = segment.Span;
            while (!span.IsEmpty)
            {
                if (_chunks.Count == 0 || _lastUsed == _chunks[^1].Length)
                {
                    if (!TryGrow(span.Length))
                    {
                        return false;
                    }
                }
                var chunk = _chunks[^1];
                var count = Math.Min(span.Length, chunk.Length - _lastUsed);
                span[..count].CopyTo(chunk.AsSpan(_lastUsed));
                _lastUsed += count;
                Length += count;
                span = span[count..];
            }
        }
        return true;
    }

    /// <summary>The bytes as one array of exactly <see cref="Length"/>, the form that travels to the replica.</summary>
    public byte[] ToArray()
    {
        var body = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        var offset = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var count = i == _chunks.Count - 1 ? _lastUsed : _chunks[i].Length;
            _chunks[i].AsSpan(0, count).CopyTo(body.AsSpan(offset));
            offset += count;
        }
        return body;
    }

    /// <summary>Returns the chunks to the pool and their bytes to the budget.</summary>
    public void Dispose()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        _chunks.Clear();
        budget.Return(Capacity);
        Capacity = 0;
    }

    private bool TryGrow(int waiting)
    {
        // As large as every chunk before it (all full by now) or what is waiting: capacity at most doubles what arrived.
        var size = (int)Math.Clamp(Math.Max(waiting, Capacity), MinChunk, MaxChunk);
        var chunk = ArrayPool<byte>.Shared.Rent(size);
        if (!budget.TryTake(chunk.Length))
        {
            ArrayPool<byte>.Shared.Return(chunk);
            return false;
        }
        Capacity += chunk.Length;
        _chunks.Add(chunk);
        _lastUsed = 0;
        return true;
    }
}
