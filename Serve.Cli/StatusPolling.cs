using Polly;
using Polly.Retry;
using Serve.Admin;

namespace Serve.Cli;

/// <summary>
/// Polls the admin API until its status says a command's work is done, or a deadline passes. A poll that cannot reach
/// the admin API (its gateway restarting, say) is retried with an exponential, jittered backoff until the deadline.
/// </summary>
internal static class StatusPolling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private static readonly ResiliencePipeline Unreachable = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<CliException>(e => e.Transient),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(2),
        })
        .Build();

    /// <summary>
    /// Polls until <paramref name="done"/> answers true; it may throw a <see cref="CliException"/> to stop early (a
    /// deployment that failed). Past <paramref name="timeout"/> throws, with <paramref name="describe"/> of the last status.
    /// </summary>
    public static async Task<ServeDetails> WaitAsync(AdminClient client, Func<ServeDetails, bool> done, TimeSpan timeout, Func<ServeDetails, string> describe, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var details = await GetAsync(client, deadline, cancellationToken);
            if (done(details))
            {
                return details;
            }
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new CliException($"gave up after {timeout.TotalSeconds:0} s: {describe(details)}", ExitCodes.Failed);
            }
            await Task.Delay(Interval, cancellationToken);
        }
    }

    /// <summary>Seconds from a <c>--timeout</c> option, checked.</summary>
    public static TimeSpan Timeout(double seconds) => seconds > 0 && double.IsFinite(seconds)
        ? TimeSpan.FromSeconds(seconds)
        : throw new CliException($"--timeout: {seconds} must be a positive number of seconds.", ExitCodes.Usage);

    /// <summary>The status, asked again while the admin API is unreachable until <paramref name="deadline"/>; then its last failure.</summary>
    private static async Task<ServeDetails> GetAsync(AdminClient client, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // One try at least, however close the deadline.
        var left = deadline - DateTimeOffset.UtcNow;
        patience.CancelAfter(left > TimeSpan.FromSeconds(2) ? left : TimeSpan.FromSeconds(2));
        CliException? last = null;
        try
        {
            return await Unreachable.ExecuteAsync(async token =>
            {
                try
                {
                    return await client.GetAsync(token);
                }
                catch (CliException e) when (e.Transient)
                {
                    last = e;
                    throw;
                }
            }, patience.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && last is not null)
        {
            throw last;
        }
    }
}
