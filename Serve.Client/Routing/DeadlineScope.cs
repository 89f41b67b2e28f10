namespace Serve.Routing;

/// <summary>
/// The token a call runs under: the caller's, cancelled also when the request's deadline passes.
/// A struct, because most calls have no deadline and every call creates one on each side.
/// </summary>
internal readonly struct DeadlineScope : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource? _linked;

    private DeadlineScope(CancellationToken token, CancellationTokenSource? timer, CancellationTokenSource? linked)
    {
        Token = token;
        _timer = timer;
        _linked = linked;
    }

    public CancellationToken Token { get; }

    public bool Expired => _timer?.IsCancellationRequested ?? false;

    public static DeadlineScope Create(long deadlineUtcTicks, TimeProvider time, CancellationToken cancellationToken)
    {
        if (deadlineUtcTicks == 0)
        {
            return new DeadlineScope(cancellationToken, null, null);
        }
        var remaining = TimeSpan.FromTicks(Math.Max(0, deadlineUtcTicks - time.GetUtcNow().UtcTicks));
        var timer = new CancellationTokenSource(TimerDelay.Of(remaining), time);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        return new DeadlineScope(linked.Token, timer, linked);
    }

    public void Dispose()
    {
        _linked?.Dispose();
        _timer?.Dispose();
    }
}
