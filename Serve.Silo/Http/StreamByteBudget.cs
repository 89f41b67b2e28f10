namespace Serve.Http;

/// <summary>
/// The bytes of a streamed response's chunks a replica holds, from the handler's write until the gateway took them,
/// within a <see cref="Replicas.StreamBufferLimit"/>: a write that would pass it waits until enough were taken. One writer
/// (the handler's writes are sequential) and one reader.
/// </summary>
internal sealed class StreamByteBudget(Replicas.StreamBufferLimit limit)
{
    private readonly Lock _gate = new();
    private long _held;
    private TaskCompletionSource? _room;
    private Exception? _closed;

    /// <summary>Bytes held now.</summary>
    public long Held
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    /// <summary>Holds <paramref name="bytes"/> more if they fit now; false when they do not, or once closed.</summary>
    public bool TryTake(long bytes)
    {
        lock (_gate)
        {
            if (_closed is null && limit.Admits(_held, bytes))
            {
                _held += bytes;
                return true;
            }
            return false;
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> more fit, then holds them; fails once <see cref="Close"/> was called.</summary>
    public async ValueTask TakeAsync(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (_closed is { } closed)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(closed);
                }
                if (limit.Admits(_held, bytes))
                {
                    _held += bytes;
                    return;
                }
                room = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await room.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The reader passed <paramref name="bytes"/> on: a waiting writer may go on.</summary>
    public void Return(long bytes)
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            _held = Math.Max(0, _held - bytes);
            (room, _room) = (_room, null);
        }
        room?.TrySetResult();
    }

    /// <summary>Nobody reads any more: a waiting writer, and any later one, fails with <paramref name="error"/>.</summary>
    public void Close(Exception error)
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            _closed ??= error;
            (room, _room) = (_room, null);
        }
        room?.TrySetResult();
    }
}
