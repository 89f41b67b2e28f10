using Serve.Grains;

namespace Serve.Watching;

/// <summary>
/// Waits until every live gateway serves the controller's route table as it is when the wait starts: what a caller that
/// has just deployed needs before it says the application is reachable (RUNNING is the controller's word; a gateway that
/// has not taken the new table in still answers 404 for its routes). The gateways report their table as they poll,
/// within a round trip of a change, so the spread is asked for again every <see cref="Interval"/>.
/// </summary>
internal static class RouteSpreadWait
{
    /// <summary>How long the wait pauses between two looks at the spread.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Failed looks in a row after which the wait ends without an answer.</summary>
    private const int MaxFailures = 3;

    /// <summary>
    /// Returns once no live gateway serves a table older than the controller's at the start. A failed look (the controller
    /// moving) is retried with <see cref="WatchBackoff.Caller"/>'s delays; after <see cref="MaxFailures"/> in a row (a
    /// controller of an earlier release, which cannot say; or one still moving) the wait ends as it did before gateways
    /// were waited for: the application runs, and only the gateways' catching up went unseen. Ends when
    /// <paramref name="cancellationToken"/> does.
    /// </summary>
    public static async Task UntilEveryGatewayServesAsync(IControllerGrain controller, TimeProvider time, CancellationToken cancellationToken)
    {
        long? version = null;
        var failures = 0;
        while (true)
        {
            RouteSpread spread;
            try
            {
                spread = await controller.GetRouteSpreadAsync().WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                if (++failures >= MaxFailures)
                {
                    return;
                }
                await Task.Delay(WatchBackoff.Caller.DelayAfter(failures), time, cancellationToken);
                continue;
            }
            failures = 0;
            version ??= spread.Version;
            if (!spread.BehindOf(version.Value).Any())
            {
                return;
            }
            await Task.Delay(Interval, time, cancellationToken);
        }
    }
}
