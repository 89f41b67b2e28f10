namespace Serve.Control;

/// <summary>
/// When the controller publishes a snapshot for changes that come in storms (deployments' status reports, the answers of
/// a reconcile pass): at once when nothing was published for the interval, else once that long has passed
/// since the last publish, with whatever else changed by then. A lone change is seen at once; a thousand replicas
/// starting, or a pass over thousands of deployments, make at most one snapshot per interval, each of which wakes every
/// watcher. Not thread-safe: the grain's scheduler runs it.
/// </summary>
internal sealed class PublishPacer(TimeSpan interval, TimeProvider time)
{
    private long? _lastPublish;

    /// <summary>A publish is scheduled and not yet made: changes until then ride with it.</summary>
    public bool Pending { get; private set; }

    /// <summary>
    /// Something changed. <see cref="TimeSpan.Zero"/>: publish now. A positive delay: schedule one publish after it (the
    /// pacer is then <see cref="Pending"/>). Null: a publish is already scheduled and will carry this change.
    /// </summary>
    public TimeSpan? Changed()
    {
        if (Pending)
        {
            return null;
        }
        var wait = _lastPublish is { } last ? interval - time.GetElapsedTime(last) : TimeSpan.Zero;
        if (wait <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        Pending = true;
        return wait;
    }

    /// <summary>A snapshot was published (paced or not, e.g. a deploy's): whatever was pending went with it.</summary>
    public void Published()
    {
        Pending = false;
        _lastPublish = time.GetTimestamp();
    }
}
