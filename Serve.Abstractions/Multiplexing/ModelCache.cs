namespace Serve.Multiplexing;

/// <summary>
/// The models one replica holds: at most its capacity, loaded on first use (one load however many requests ask at
/// once), the least recently used evicted to make room but only while no request holds a lease on it. A request for a
/// new model while every held model is in use waits for a lease to be released (or for its own cancellation).
/// </summary>
internal sealed class ModelCache : IAsyncDisposable
{
    private readonly Func<string, CancellationToken, Task<object?>> _load;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource? _roomFreed;
    private readonly int _capacity;
    private long _clock;

    public ModelCache(Func<string, CancellationToken, Task<object?>> load, int capacity, TimeProvider time, IModelCacheObserver? observer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _load = load;
        _capacity = capacity;
        _time = time;
        Observer = observer;
    }

    public IModelCacheObserver? Observer { get; }

    /// <summary>Called after the set of loaded models changed (a load finished, a model was evicted).</summary>
    public Action? Changed { get; set; }

    public int Capacity => _capacity;

    /// <summary>The ids of the models loaded now, most recently used first.</summary>
    public IReadOnlyList<string> LoadedModels
    {
        get
        {
            lock (_gate)
            {
                return _slots.Values.Where(s => s.Loaded).OrderByDescending(s => s.LastUsed).Select(s => s.Id).ToArray();
            }
        }
    }

    /// <summary>
    /// The model <paramref name="modelId"/>, loading it (and evicting the least recently used unused model) when it is
    /// not held. With <paramref name="leases"/>, the model stays held until they are released.
    /// </summary>
    public async Task<object?> AcquireAsync(string modelId, ModelLeases? leases, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        while (true)
        {
            Slot? slot;
            Slot? evicted = null;
            Task? roomFreed = null;
            var load = false;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
                if (!_slots.TryGetValue(modelId, out slot))
                {
                    if (_slots.Count >= _capacity)
                    {
                        evicted = LeastRecentlyUsedIdle();
                        if (evicted is null)
                        {
                            roomFreed = (_roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                        }
                        else
                        {
                            _slots.Remove(evicted.Id);
                        }
                    }
                    if (roomFreed is null)
                    {
                        slot = new Slot(modelId);
                        _slots.Add(modelId, slot);
                        load = true;
                    }
                }
                if (slot is not null)
                {
                    slot.LastUsed = ++_clock;
                    slot.Leases++;
                }
            }
            if (roomFreed is not null)
            {
                // Every model is in use: wait for a request to finish with one.
                await roomFreed.WaitAsync(cancellationToken);
                continue;
            }
            if (leases is null || !leases.Add(this, slot!))
            {
                // Not held for a request: usable now, evictable at once.
                Release(slot!);
            }
            if (evicted is not null)
            {
                Observer?.ModelEvicted();
                _ = DisposeModelAsync(evicted.Model);
                Changed?.Invoke();
            }
            if (load)
            {
                _ = LoadAsync(slot!);
            }
            else if (slot!.Loaded)
            {
                Observer?.ModelRequested(hit: true);
                return slot.Model;
            }
            Observer?.ModelRequested(hit: false);
            return await slot!.Loading.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A lease on <paramref name="slot"/> ended.</summary>
    internal void Release(Slot slot)
    {
        TaskCompletionSource? roomFreed = null;
        lock (_gate)
        {
            if (--slot.Leases == 0 && slot.Loaded)
            {
                roomFreed = _roomFreed;
                _roomFreed = null;
            }
        }
        roomFreed?.TrySetResult();
    }

    private async Task LoadAsync(Slot slot)
    {
        var started = _time.GetTimestamp();
        try
        {
            // User code, possibly CPU-bound: off the caller's turn and context.
            var model = await Task.Run(() => _load(slot.Id, _stopping.Token), _stopping.Token);
            TaskCompletionSource? roomFreed = null;
            lock (_gate)
            {
                slot.Model = model;
                slot.Loaded = true;
                if (slot.Leases == 0)
                {
                    roomFreed = _roomFreed;
                    _roomFreed = null;
                }
            }
            Observer?.ModelLoaded(_time.GetElapsedTime(started), failed: false);
            slot.Loading.TrySetResult(model);
            roomFreed?.TrySetResult();
            Changed?.Invoke();
        }
        catch (Exception e)
        {
            // Not kept: the next request for it loads it again.
            TaskCompletionSource? roomFreed;
            lock (_gate)
            {
                if (_slots.TryGetValue(slot.Id, out var current) && current == slot)
                {
                    _slots.Remove(slot.Id);
                }
                roomFreed = _roomFreed;
                _roomFreed = null;
            }
            Observer?.ModelLoaded(_time.GetElapsedTime(started), failed: true);
            slot.Loading.TrySetException(e);
            roomFreed?.TrySetResult();
        }
    }

    private Slot? LeastRecentlyUsedIdle()
    {
        Slot? oldest = null;
        foreach (var slot in _slots.Values)
        {
            if (slot.Loaded && slot.Leases == 0 && (oldest is null || slot.LastUsed < oldest.LastUsed))
            {
                oldest = slot;
            }
        }
        return oldest;
    }

    private async Task DisposeModelAsync(object? model)
    {
        try
        {
            switch (model)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception e)
        {
            Observer?.ModelDisposeFailed(e);
        }
    }

    /// <summary>Disposes every loaded model; loads still running are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        Slot[] slots;
        TaskCompletionSource? roomFreed;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }
            _stopping.Cancel();
            slots = [.. _slots.Values];
            _slots.Clear();
            roomFreed = _roomFreed;
            _roomFreed = null;
        }
        roomFreed?.TrySetException(new ObjectDisposedException(nameof(ModelCache), "The replica stopped."));
        foreach (var slot in slots)
        {
            slot.Loading.TrySetException(new ObjectDisposedException(nameof(ModelCache), "The replica stopped."));
            if (slot.Loaded)
            {
                await DisposeModelAsync(slot.Model);
            }
        }
    }

    /// <summary>One model, loaded or loading.</summary>
    internal sealed class Slot(string id)
    {
        public string Id { get; } = id;

        public TaskCompletionSource<object?> Loading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object? Model { get; set; }

        public bool Loaded { get; set; }

        /// <summary>Requests holding it (plus one while an acquire is under way).</summary>
        public int Leases { get; set; }

        public long LastUsed { get; set; }
    }
}
