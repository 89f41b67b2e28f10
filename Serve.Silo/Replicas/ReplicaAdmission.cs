namespace Serve.Replicas;

/// <summary>
/// A replica's count of running calls, and its stop's wait for them. Calls may come on several threads at once (a
/// <see cref="ThreadSafeAttribute"/> replica's calls from its own silo run on their callers' threads). The stop's mark is
/// the count's top bit, so each change of the count also reads the mark in the same atomic step: a call counted before
/// the mark was set is waited for, a call counted after it sees the mark and leaves, and only a count reaching zero
/// with the mark set can end the stop's wait. (With the mark apart from the count, a call leaving before the stop could
/// read the stop's signal after it and end the wait while a call let in between still ran.)
/// </summary>
internal sealed class ReplicaAdmission
{
    private const int StopMark = unchecked((int)0x8000_0000);
    private const int CountMask = ~StopMark;

    private int _state;
    private int _maxOngoing;
    private volatile bool _open;
    private TaskCompletionSource? _drained;

    /// <summary>Calls running now (with, briefly, calls being turned away).</summary>
    public int InFlight => Volatile.Read(ref _state) & CountMask;

    /// <summary>Whether a stop began.</summary>
    public bool Stopping => (Volatile.Read(ref _state) & StopMark) != 0;

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
        var state = Interlocked.Increment(ref _state);
        if (!_open || (state & StopMark) != 0)
        {
            Leave();
            return CallAdmission.Gone;
        }
        if (state > Volatile.Read(ref _maxOngoing))
        {
            Leave();
            return CallAdmission.Full;
        }
        return CallAdmission.Admitted;
    }

    /// <summary>A call ended; the last one out while a stop waits lets it go on.</summary>
    public void Leave()
    {
        if (Interlocked.Decrement(ref _state) == StopMark)
        {
            Volatile.Read(ref _drained)!.TrySetResult();
        }
    }

    /// <summary>
    /// Lets no more calls in, and completes when every call let in has left (at once when none runs). Called again (a
    /// deactivation after a stop), it waits on the same drain.
    /// </summary>
    public Task StopAsync()
    {
        // The signal is published before the mark: whoever sees the mark with the count at zero finds it set.
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        drained = Interlocked.CompareExchange(ref _drained, drained, null) ?? drained;
        if ((Interlocked.Or(ref _state, StopMark) & CountMask) == 0)
        {
            drained.TrySetResult();
        }
        return drained.Task;
    }
}
