using System.Collections.Concurrent;

namespace Serve.Tests.Deployments;

/// <summary>
/// A deployment whose <see cref="InitializeAsync"/> never finishes on its own: it waits on its token (<c>heedsToken</c>)
/// and records, under <c>reason</c>, that the token fired; or it ignores its token and waits for good.
/// </summary>
[Deployment]
public sealed class HangingInitialize(string reason, bool heedsToken) : IAsyncInitializable
{
    /// <summary>The reasons whose instance saw its initialization's token fire.</summary>
    public static readonly ConcurrentDictionary<string, bool> Cancelled = new();

    /// <summary>The reasons whose instance began to initialize.</summary>
    public static readonly ConcurrentDictionary<string, bool> Initializing = new();

    private static readonly TaskCompletionSource Never = new();

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Initializing[reason] = true;
        if (!heedsToken)
        {
            await Never.Task;
            return;
        }
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Cancelled[reason] = true;
            throw;
        }
    }

    public string Ping() => "pong";
}
