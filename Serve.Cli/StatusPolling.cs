using Serve.Admin;

namespace Serve.Cli;

/// <summary>Polls the admin API until its status says a command's work is done, or a deadline passes.</summary>
internal static class StatusPolling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Polls until <paramref name="done"/> answers true; it may throw a <see cref="CliException"/> to stop early (a
    /// deployment that failed). Past <paramref name="timeout"/> throws, with <paramref name="describe"/> of the last status.
    /// </summary>
    public static async Task<ServeDetails> WaitAsync(AdminClient client, Func<ServeDetails, bool> done, TimeSpan timeout, Func<ServeDetails, string> describe, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var details = await client.GetAsync(cancellationToken);
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
}
