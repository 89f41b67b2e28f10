namespace Serve.Multiplexing;

/// <summary>The models one request uses: none of them is evicted until the request ends and releases them.</summary>
internal sealed class ModelLeases
{
    private readonly Lock _gate = new();
    private List<(ModelCache Cache, ModelCache.Slot Slot)>? _held;
    private bool _released;

    /// <summary>Records a lease; false when the request already ended (the caller gives the lease back).</summary>
    public bool Add(ModelCache cache, ModelCache.Slot slot)
    {
        lock (_gate)
        {
            if (_released)
            {
                return false;
            }
            (_held ??= []).Add((cache, slot));
            return true;
        }
    }

    /// <summary>The request ended: its models may be evicted again.</summary>
    public void ReleaseAll()
    {
        List<(ModelCache Cache, ModelCache.Slot Slot)>? held;
        lock (_gate)
        {
            _released = true;
            held = _held;
            _held = null;
        }
        if (held is null)
        {
            return;
        }
        foreach (var (cache, slot) in held)
        {
            cache.Release(slot);
        }
    }
}
