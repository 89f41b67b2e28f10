using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Serve.Watching;

/// <summary>
/// The grain side of a versioned long poll (the controller's snapshot, a deployment's replica set): waits until the
/// grain signals a change, the poll times out, or the caller gives up. While the silo stops, polls are short: a poll in
/// progress holds up the activation's deactivation.
/// </summary>
internal static class LongPoll
{
    private static readonly TimeSpan StoppingPollTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Returns when <paramref name="changed"/> completes, after <paramref name="timeout"/> unchanged, or (cancelled) when the caller gives up.</summary>
    public static async Task WaitAsync(Task changed, IServiceProvider services, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var siloStopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, siloStopping);
        try
        {
            await changed.WaitAsync(siloStopping.IsCancellationRequested ? StoppingPollTimeout : timeout, time, stopped.Token);
        }
        catch (TimeoutException)
        {
            // Unchanged: the caller asks again.
        }
        catch (OperationCanceledException) when (siloStopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(StoppingPollTimeout, time, cancellationToken);
        }
    }
}
