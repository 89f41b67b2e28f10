using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Serve.Http;

namespace Serve.Forwarding;

/// <summary>
/// The gateway's side of one HTTP exchange while its call runs: the replica pushes a streamed response here and it goes
/// to the client, one push at a time; a push waits while the client is still taking the previous bytes (back-pressure),
/// for a while only, then answers "later" so that no call outlives Orleans' response timeout.
/// </summary>
internal sealed class HttpExchange : IHttpExchange
{
    /// <summary>How long a push waits for the client before it answers "later"; well within Orleans' 30 s response timeout.</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private Task _sending = Task.CompletedTask;
    private bool _begun;
    private bool _bodiless;

    public HttpExchange(IHttpExchangeChannel channel, long id, HttpContext context, TimeProvider time)
    {
        Channel = channel;
        Id = id;
        _context = context;
        _time = time;
    }

    public IHttpExchangeChannel Channel { get; }

    public long Id { get; }

    public bool Begun => Volatile.Read(ref _begun);

    // Where the client's WebSocket is held, and the switch of protocols that begins the exchange.
    public IWebSocketChannel? WebSockets { get; set; }

    public void MarkBegun() => Volatile.Write(ref _begun, true);

    /// <summary>The replica streamed: the head went to the client, and only the trailers are left when the call returns.</summary>
    public bool Streamed { get; private set; }

    /// <summary>Why the replica's head was refused, if it was (an interim status as the final answer, a header HTTP cannot carry).</summary>
    public string? Refused { get; private set; }

    private bool ClientGone => _context.RequestAborted.IsCancellationRequested;

    public ValueTask<HttpPush> StartAsync(HttpResponseData head)
    {
        if (ClientGone || Streamed || Refused is not null)
        {
            return new(HttpPush.Gone);
        }
        if (head.StatusCode < StatusCodes.Status200OK)
        {
            Refused = $"the application answered {head.StatusCode}, an interim status, as its final answer";
            return new(HttpPush.Gone);
        }
        Volatile.Write(ref _begun, true);
        if (ReplicaAnswer.WriteHead(_context, head) is { } unsendable)
        {
            // Nothing went out yet: the forwarder answers the refusal once the call returns.
            Refused = unsendable;
            return new(HttpPush.Gone);
        }
        Streamed = true;
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // These answers have no body, whatever the application writes: Kestrel refuses to send one.
        _bodiless = head.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified;
        return SendAsync(_bodiless ? [] : head.Body);
    }

    public ValueTask<HttpPush> WriteAsync(byte[] chunk)
    {
        if (ClientGone || !Streamed)
        {
            return new(HttpPush.Gone);
        }
        return _bodiless ? new(HttpPush.Accepted) : SendAsync(chunk);
    }

    /// <summary>The request body the replica pulls, when it does not travel in the call.</summary>
    public StreamedRequestBody? RequestBody { get; init; }

    /// <summary>The watch that ends this exchange once it has passed nothing either way for a while; null when none does.</summary>
    public StreamIdleWatch? Idle { get; set; }

    public ValueTask<HttpPull> ReadAsync(int maxBytes)
    {
        if (RequestBody is not { } body)
        {
            return new(HttpPull.End);
        }
        // The replica's handler has the body's first bytes, or waits for them: the exchange cannot start again elsewhere.
        Volatile.Write(ref _begun, true);
        var pull = body.PullAsync(maxBytes, Patience);
        return Idle is null ? pull : WatchedAsync(pull, Idle);

        // Only bytes from the client count as activity: a pull that waited in vain ("later") is the replica asking again.
        // Once the client's stream has ended it can send no more, and the call is the handler's to end.
        static async ValueTask<HttpPull> WatchedAsync(ValueTask<HttpPull> pull, StreamIdleWatch idle)
        {
            var result = await pull;
            if (result.Status == HttpPullStatus.Data)
            {
                idle.Touch();
            }
            else if (result.Status == HttpPullStatus.End)
            {
                idle.Stop();
            }
            return result;
        }
    }

    /// <summary>Waits until the last bytes pushed are handed to the client's connection.</summary>
    public Task FinishAsync() => _sending;

    private ValueTask<HttpPush> SendAsync(byte[] bytes) =>
        _sending.IsCompleted ? new(Send(bytes)) : SendAfterPreviousAsync(bytes);

    private async ValueTask<HttpPush> SendAfterPreviousAsync(byte[] bytes)
    {
        await Task.WhenAny(_sending, Task.Delay(Patience, _time, _context.RequestAborted));
        return ClientGone ? HttpPush.Gone : _sending.IsCompleted ? Send(bytes) : HttpPush.Later;
    }

    private HttpPush Send(byte[] bytes)
    {
        if (!_sending.IsCompletedSuccessfully || ClientGone)
        {
            return HttpPush.Gone;
        }
        try
        {
            // Written and flushed at once, as the handler flushed it; awaited by the next push, not this one.
            var flushing = _context.Response.BodyWriter.WriteAsync(bytes, _context.RequestAborted);
            _sending = flushing.IsCompletedSuccessfully ? Task.CompletedTask : flushing.AsTask();
            Idle?.Touch();
            return HttpPush.Accepted;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return HttpPush.Gone;
        }
    }
}
