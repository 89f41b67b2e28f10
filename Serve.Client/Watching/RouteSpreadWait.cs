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

    /// <summary>
    /// Returns once no live gateway serves a table older than the controller's at the start; a failed look (the controller
    /// moving) is retried as <see cref="WatchBackoff.Caller"/> says, then thrown. Ends when <paramref name="cancellationToken"/> does.
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
            catch (Exception) when (!cancellationToken.IsCancellationRequested && ++failures <= WatchBackoff.Caller.MaxAttempts)
            {
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
