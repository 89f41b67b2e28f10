using System.Collections.Concurrent;
using Serve.Http;

namespace Serve.Tests.Http;

/// <summary>
/// The gateway's end of exchanges for tests of the replica's pipeline on its own: records what the replica pushes,
/// answers "gone" from the push numbered <see cref="GoneFrom"/> on.
/// </summary>
internal sealed class RecordingExchangeChannel : IHttpExchangeChannel
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pushes;

    public HttpResponseData? Head { get; private set; }

    public ConcurrentQueue<byte[]> Chunks { get; } = new();

    /// <summary>The first push (1 is the head) answered "gone"; 0 is never.</summary>
    public int GoneFrom { get; init; }

    public Task Started => _started.Task;

    public HttpCall Call(HttpRequestData request) => new() { RequestId = "id", Request = request, Channel = this, ExchangeId = 1 };

    public ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head)
    {
        Head = head;
        _started.TrySetResult();
        return new(Answer());
    }

    public ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk)
    {
        Chunks.Enqueue(chunk);
        return new(Answer());
    }

    /// <summary>What pulls of a streamed request body get, in turn; then <see cref="Rest"/>.</summary>
    public ConcurrentQueue<HttpPull> Pulls { get; } = new();

    private Task<HttpPull>? _rest;

    /// <summary>
    /// What the pull after <see cref="Pulls"/> gets (a client still sending: a task the test completes); the pulls after it
    /// get "end".
    /// </summary>
    public Task<HttpPull>? Rest { init => _rest = value; }

    public ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes) =>
        Pulls.TryDequeue(out var pull) ? new(pull) : Interlocked.Exchange(ref _rest, null) is { } rest ? new(rest) : new(HttpPull.End);

    private HttpPush Answer() => GoneFrom > 0 && Interlocked.Increment(ref _pushes) >= GoneFrom ? HttpPush.Gone : HttpPush.Accepted;
}
