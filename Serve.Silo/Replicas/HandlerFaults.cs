namespace Serve.Replicas;

/// <summary>
/// Which failures of a replica's handlers are news: the first of each kind (handler or method, the root exception's type,
/// the status answered) is, repeats are not, and neither is a call that ended because it was cancelled, its client went,
/// it timed out or a deployment it called was full. Remembers at most <see cref="MaxKinds"/> kinds. Safe from any thread.
/// </summary>
internal sealed class HandlerFaults
{
    /// <summary>The most kinds remembered; past them every new kind is <see cref="HandlerFault.Untracked"/>.</summary>
    public const int MaxKinds = 1024;

    private readonly Lock _gate = new();
    private readonly HashSet<(string Handler, Type Root, int? Status)> _seen = [];

    /// <summary>
    /// Judges a failure of <paramref name="handler"/>; <paramref name="status"/> is the HTTP status answered (null for a
    /// method call), <paramref name="cancelled"/> whether the call's own token was cancelled (its caller or client went).
    /// </summary>
    public HandlerFault Judge(string handler, Exception error, int? status, bool cancelled)
    {
        if (cancelled || IsExpected(error))
        {
            return HandlerFault.Expected;
        }
        var kind = (handler, Root(error).GetType(), status);
        lock (_gate)
        {
            if (_seen.Contains(kind))
            {
                return HandlerFault.Again;
            }
            if (_seen.Count >= MaxKinds)
            {
                return HandlerFault.Untracked;
            }
            _seen.Add(kind);
            return HandlerFault.First;
        }
    }

    /// <summary>The exception at the root of <paramref name="error"/>: the one a wrapper (an aggregate, a reflection call) carries.</summary>
    public static Exception Root(Exception error) => error.GetBaseException();

    private static bool IsExpected(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException or TimeoutException or BackPressureException or RequestTimeoutException)
            {
                return true;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Count > 1)
            {
                return aggregate.InnerExceptions.All(IsExpected);
            }
        }
        return false;
    }
}
