namespace Serve.Deployments;

/// <summary>
/// The replica starts of a deployment that failed in the user's code in a row, and whether to try again. As Ray Serve's
/// <c>max_constructor_retry_count</c>, it gives up after <see cref="DeploymentOptions.MaxConstructorRetryCount"/> failures
/// (20 by default, about 30 s with the retries' backoff). It gives up sooner on a failure that repeats itself: the same
/// text (exception type, message and the user's frame that threw) <see cref="IdenticalFailures"/> times in a row, over
/// at least <see cref="IdenticalFor"/>. A constructor that throws the same way every time (a missing setting, a wrong
/// path) fails its deployment in about 3 s; a failure that changes, or that clears within that time (a model store
/// still starting), is retried as before. A replica that starts ends the streak.
/// </summary>
internal sealed class StartFailureStreak(TimeProvider time)
{
    /// <summary>How many identical failures in a row, at least, before giving up early.</summary>
    internal const int IdenticalFailures = 3;

    /// <summary>How long, at least, the same failure must have lasted before giving up early.</summary>
    internal static readonly TimeSpan IdenticalFor = TimeSpan.FromSeconds(2);

    private string? _last;
    private long _lastSince;

    /// <summary>Failures in a row, whatever they were.</summary>
    public int Count { get; private set; }

    /// <summary>How many of the last failures in a row were the same as the last.</summary>
    public int Identical { get; private set; }

    /// <summary>How long the last failure has been repeating (zero after one).</summary>
    public TimeSpan IdenticalElapsed => _last is null ? TimeSpan.Zero : time.GetElapsedTime(_lastSince);

    /// <summary>Counts a failure; true while the start should be tried again under <paramref name="maxFailures"/>.</summary>
    /// <param name="error">The failure's text.</param>
    /// <param name="maxFailures">Failures in a row after which the start is given up.</param>
    /// <param name="giveUpWhenRepeating">Whether a failure that repeats itself (<see cref="Repeating"/>) gives up before the count.</param>
    public bool Fail(string error, int maxFailures, bool giveUpWhenRepeating = true)
    {
        Count++;
        if (string.Equals(error, _last, StringComparison.Ordinal))
        {
            Identical++;
        }
        else
        {
            (_last, _lastSince, Identical) = (error, time.GetTimestamp(), 1);
        }
        return Count < maxFailures && !(giveUpWhenRepeating && Repeating);
    }

    /// <summary>Whether the last failure repeated itself enough to give up before the count.</summary>
    public bool Repeating => Identical >= IdenticalFailures && IdenticalElapsed >= IdenticalFor;

    /// <summary>A replica started, or a new spec came: the streak is over.</summary>
    public void Reset()
    {
        Count = 0;
        Identical = 0;
        _last = null;
    }
}
