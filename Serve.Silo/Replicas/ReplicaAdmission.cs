namespace Serve.Replicas;

/// <summary>
/// A replica's count of running calls, and its stop's wait for them. Calls may come on several threads at once (a
/// <see cref="ThreadSafeAttribute"/> replica's calls from its own silo run on their callers' threads), so a call counts
/// itself first and then checks for a stop, while a stop marks itself first and then reads the count, each with a full
/// fence between (Dekker's order): either the call sees the stop and leaves, or the stop sees the call and waits for it.
/// A call that checked first and counted after could pass the check, miss the stop's read, and run on a disposed instance.
/// </summary>
internal sealed class ReplicaAdmission
{
    private int _inFlight;
    private int _maxOngoing;
    private volatile bool _open;
    private volatile bool _stopping;
    private TaskCompletionSource? _drained;

    /// <summary>Calls running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whether a stop began.</summary>
    public bool Stopping => _stopping;

    /// <summary>Whether calls were ever let in (the replica started).</summary>
    public bool Opened => _open;

    /// <summary>Most calls running at once.</summary>
    public int MaxOngoing
    {
        get => Volatile.Read(ref _maxOngoing);
        set => Volatile.Write(ref _maxOngoing, value);
    }

    /// <summary>The replica's instance is ready: calls are let in from now on, up to <see cref="MaxOngoing"/>.</summary>
    public void Open() => _open = true;

    /// <summary>Takes a slot; each <see cref="CallAdmission.Admitted"/> is ended by one <see cref="Leave"/>.</summary>
    public CallAdmission TryEnter()
    {
        // Counted before the checks: Interlocked is a full fence, so the reads below cannot move above it.
        var running = Interlocked.Increment(ref _inFlight);
        if (!_open || _stopping)
        {
            Leave();
            return CallAdmission.Gone;
        }
        if (running > Volatile.Read(ref _maxOngoing))
        {
            Leave();
            return CallAdmission.Full;
        }
        return CallAdmission.Admitted;
    }

    /// <summary>A call ended; the last one out while a stop waits lets it go on.</summary>
    public void Leave()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    /// <summary>
    /// Lets no more calls in, and completes when every call let in has left (at once when none runs). Called again (a
    /// deactivation after a stop), it waits on the same drain.
    /// </summary>
    public Task StopAsync()
    {
        _stopping = true;
        // The exchange is a full fence: the mark above is seen by every call that counts itself after the read below.
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        drained = Interlocked.CompareExchange(ref _drained, drained, null) ?? drained;
        if (Volatile.Read(ref _inFlight) == 0)
        {
            drained.TrySetResult();
        }
        return drained.Task;
    }
}
