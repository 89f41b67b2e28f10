using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// Records every span of Serve's activity source that ends in this process while it lives, each sampled in full: a
/// test's stand-in for a trace back end. Other tests' spans end here too, so a test picks its own by trace id.
/// </summary>
public sealed class ServeSpans : IDisposable
{
    private readonly ActivityListener _listener;

    /// <param name="sources">Activity sources to record besides Serve's (a model's own, say); only these when <paramref name="withServe"/> is false.</param>
    public ServeSpans(bool withServe = true, params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => (withServe && source.Name == "Serve") || sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans ended so far, in the order they ended.</summary>
    public ConcurrentQueue<Activity> Stopped { get; } = new();

    public void Dispose() => _listener.Dispose();
}
