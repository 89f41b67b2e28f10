namespace Serve.Routing;

/// <summary>
/// The token a call runs under: the caller's, cancelled also when the request's deadline passes, and for an external
/// client's call when its connection to the cluster is lost (<see cref="Hosting.ClusterConnection"/>).
/// A struct, because most calls have no deadline and every call creates one on each side.
/// </summary>
internal readonly struct DeadlineScope : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource? _linked;
    private readonly CancellationToken _clusterLost;

    private DeadlineScope(CancellationToken token, CancellationTokenSource? timer, CancellationTokenSource? linked, CancellationToken clusterLost)
    {
        Token = token;
        _timer = timer;
        _linked = linked;
        _clusterLost = clusterLost;
    }

    public CancellationToken Token { get; }

    public bool Expired => _timer?.IsCancellationRequested ?? false;

    /// <summary>Whether the call's client lost its connection to the cluster while the call ran.</summary>
    public bool ClusterLost => _clusterLost.IsCancellationRequested;

    /// <param name="deadlineUtcTicks">The request's deadline (UTC ticks), 0 for none.</param>
    /// <param name="time">The clock of the deadline.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="clusterLost">Cancelled when the client's connection to the cluster is lost; none in a silo, or for a call that waits out an outage.</param>
    public static DeadlineScope Create(long deadlineUtcTicks, TimeProvider time, CancellationToken cancellationToken, CancellationToken clusterLost = default)
    {
        if (deadlineUtcTicks == 0)
        {
            return clusterLost.CanBeCanceled
                ? Linked(CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, clusterLost), timer: null, clusterLost)
                : new DeadlineScope(cancellationToken, null, null, default);
        }
        var remaining = TimeSpan.FromTicks(Math.Max(0, deadlineUtcTicks - time.GetUtcNow().UtcTicks));
        var timer = new CancellationTokenSource(TimerDelay.Of(remaining), time);
        var linked = clusterLost.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token, clusterLost)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        return Linked(linked, timer, clusterLost);
    }

    private static DeadlineScope Linked(CancellationTokenSource linked, CancellationTokenSource? timer, CancellationToken clusterLost) =>
        new(linked.Token, timer, linked, clusterLost);

    public void Dispose()
    {
        _linked?.Dispose();
        _timer?.Dispose();
    }
}
