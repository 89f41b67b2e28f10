using System.Diagnostics;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// Waits for what a test cannot be told of by an event: polls a condition until it holds, and fails with a
/// <see cref="TimeoutException"/> when it does not within the test's patience. Never a sleep that hopes.
/// </summary>
public static class Poll
{
    /// <summary>How long a poll waits between two looks: short, since what it waits for is usually a few turns away.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>Completes once <paramref name="condition"/> holds; throws if it does not within <paramref name="patience"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan patience) =>
        UntilAsync(() => Task.FromResult(condition()), patience);

    /// <summary>Completes once <paramref name="condition"/> holds; throws if it does not within <paramref name="patience"/>.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan patience) =>
        UntilAsync(condition, held => held, patience);

    /// <summary>
    /// Reads until <paramref name="done"/> holds for what <paramref name="read"/> returns, and returns that; a value read
    /// too early is disposed if it is disposable (an HTTP response). Throws if none is done within <paramref name="patience"/>.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan patience)
    {
        var since = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            (value as IDisposable)?.Dispose();
            if (since.Elapsed >= patience)
            {
                throw new TimeoutException($"The condition the test waits for did not hold within {patience.TotalSeconds:0.#} s.");
            }
            await Task.Delay(Interval, CancellationToken.None);
        }
    }
}
