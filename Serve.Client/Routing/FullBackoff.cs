namespace Serve.Routing;

/// <summary>
/// The delays of one call retrying a replica full by other callers' calls (its own router counted room there):
/// 1 ms, doubled each time, at most 100 ms. Short, because such a slot frees as soon as another caller's call ends.
/// </summary>
internal struct FullBackoff
{
    internal static readonly TimeSpan First = TimeSpan.FromMilliseconds(1);
    internal static readonly TimeSpan Max = TimeSpan.FromMilliseconds(100);

    private TimeSpan _last;

    /// <summary>The delay before the next attempt.</summary>
    public TimeSpan Next()
    {
        _last = _last == TimeSpan.Zero ? First : TimeSpan.FromTicks(Math.Min(_last.Ticks * 2, Max.Ticks));
        return _last;
    }
}
