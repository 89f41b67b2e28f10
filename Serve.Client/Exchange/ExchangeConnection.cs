using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Serve.Grains;
using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// The router's end of one data-plane connection to a silo, shared by every router of the process: calls out, replies
/// in, matched by call id. When the connection ends, every call still waiting fails with an
/// <see cref="ExchangeLostException"/> that says it may have arrived.
/// </summary>
internal sealed partial class ExchangeConnection : IAsyncDisposable
{
    private readonly ExchangeWire _wire;
    private readonly ConcurrentDictionary<long, PendingExchange> _pending = new();
    private readonly Serializer<ExchangeCall> _calls;
    private readonly Serializer<ReplicaResponse> _replies;
    private readonly DeepCopier _copier;
    private readonly ILogger _logger;
    private long _nextId;
    private volatile bool _closed;
    private Exception? _closedBy;

    /// <summary>
    /// How long calls still waiting when the connection breaks wait on before they fail. What their replicas sent the
    /// gateway through Orleans before the break (a pull of the request body, a pushed response head) travels on another
    /// connection and may be behind the break: it arrives within this, so the router's retry rule (no retry once an
    /// exchange has begun) sees it. The replica's loss (its silo declared dead) or the caller's cancellation still end
    /// them at once.
    /// </summary>
    internal static readonly TimeSpan LossGrace = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time;

    private ExchangeConnection(
        string endpoint, ExchangeWire wire, Serializer<ExchangeCall> calls, Serializer<ReplicaResponse> replies, DeepCopier copier, TimeProvider time, ILogger logger)
    {
        _time = time;
        Endpoint = endpoint;
        _calls = calls;
        _replies = replies;
        _copier = copier;
        _logger = logger;
        _wire = wire;
        Closed = RunAsync();
    }

    /// <summary>
    /// Opens the connection on <paramref name="stream"/> (connected, and authenticated when the cluster has TLS): sends
    /// the preface and waits for the silo's answer, so that no call goes to a silo that does not speak this version.
    /// Fails with an <see cref="InvalidDataException"/> naming what the silo did instead (the stream is then closed).
    /// </summary>
    public static async Task<ExchangeConnection> OpenAsync(
        string endpoint, Stream stream, ExchangeLimits limits, Serializer<ExchangeCall> calls, Serializer<ReplicaResponse> replies, DeepCopier copier,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var wire = new ExchangeWire(stream, limits.MaxFrameBytes);
        try
        {
            wire.WriteRaw(ExchangeFrames.Preface);
            var version = await wire.ReadPrefaceAsync(cancellationToken);
            if (version != ExchangeFrames.Version)
            {
                throw new InvalidDataException(version switch
                {
                    -1 => $"the silo at {endpoint} closed the connection at the data plane's preface: it may run an older Serve, whose data plane does not speak version {ExchangeFrames.Version}",
                    0 => $"the silo at {endpoint} did not answer with the data plane's preface: something else listens there",
                    _ => $"the silo at {endpoint} answered with data-plane version {version}, and this process speaks {ExchangeFrames.Version}",
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await wire.DisposeAsync();
            throw new TimeoutException($"the silo at {endpoint} did not answer the data plane's preface in time");
        }
        catch
        {
            await wire.DisposeAsync();
            throw;
        }
        return new ExchangeConnection(endpoint, wire, calls, replies, copier, time, logger);
    }

    public string Endpoint { get; }

    public bool IsOpen => !_closed;

    /// <summary>Ends when the connection has ended and every pending call failed.</summary>
    public Task Closed { get; }

    /// <summary>Calls waiting for their replies.</summary>
    public int Pending => _pending.Count;

    /// <summary>Sends the HTTP exchange <paramref name="call"/> to <paramref name="replicaId"/> on the silo at the other end, in the caller's request context.</summary>
    public Task<ReplicaResponse> CallAsync(string replicaId, HttpCall call, CancellationToken cancellationToken) =>
        SendAsync(replicaId, call, request: null, cancellationToken);

    /// <summary>Sends the handle call <paramref name="request"/> to <paramref name="replicaId"/> on the silo at the other end, in the caller's request context.</summary>
    public Task<ReplicaResponse> CallAsync(string replicaId, ReplicaRequest request, CancellationToken cancellationToken) =>
        SendAsync(replicaId, call: null, request, cancellationToken);

    private Task<ReplicaResponse> SendAsync(string replicaId, HttpCall? call, ReplicaRequest? request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ReplicaResponse>(cancellationToken);
        }
        var id = Interlocked.Increment(ref _nextId);
        var pending = new PendingExchange(this, id);
        _pending[id] = pending;
        var buffer = ExchangeBuffers.Rent();
        bool sent;
        try
        {
            _calls.Serialize(new ExchangeCall { ReplicaId = replicaId, Context = RequestContextExtensions.Export(_copier), Call = call, Request = request }, buffer);
            sent = _wire.TryWrite(ExchangeFrameType.Call, id, buffer.WrittenSpan);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        finally
        {
            ExchangeBuffers.Return(buffer);
        }
        // Closed meanwhile: the frame never left, or the close may have missed this call in its sweep.
        if (!sent || _closed)
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.Fail(new ExchangeLostException(Endpoint, mayHaveArrived: sent, _closedBy));
            }
            return pending.Task;
        }
        pending.WatchCancellation(cancellationToken);
        return pending.Task;
    }

    /// <summary>Takes the call out of the table; false when its reply or the connection's end came first.</summary>
    internal bool Forget(PendingExchange pending) => _pending.TryRemove(new KeyValuePair<long, PendingExchange>(pending.CallId, pending));

    internal void SendCancel(long callId) => _wire.TryWrite(ExchangeFrameType.Cancel, callId, []);

    private async Task RunAsync()
    {
        Exception? error = null;
        var status = ExchangeFrameStatus.Complete;
        try
        {
            status = await _wire.ReadAsync(OnFrame, beforeRead: null, CancellationToken.None);
        }
        catch (Exception e)
        {
            error = e;
        }
        if (status != ExchangeFrameStatus.Complete)
        {
            error = new InvalidDataException($"The silo at {Endpoint} sent a frame that breaks the wire's rules ({status}).");
        }
        await CloseAsync(error ?? new EndOfStreamException($"The silo at {Endpoint} closed the data-plane connection."));
    }

    private void OnFrame(ExchangeFrame frame)
    {
        if (frame.Type != ExchangeFrameType.Reply)
        {
            throw new InvalidDataException($"The silo at {Endpoint} sent a {frame.Type} frame; a router's connection takes replies only.");
        }
        // A reply to a call already cancelled (or unknown) is dropped.
        if (_pending.TryRemove(frame.CallId, out var pending))
        {
            pending.Answer(_replies.Deserialize(frame.Payload) ?? throw new InvalidDataException($"The silo at {Endpoint} sent an empty reply."));
        }
    }

    private async Task CloseAsync(Exception reason)
    {
        _closedBy = reason;
        _closed = true;
        LogClosed(_logger, Endpoint, _pending.Count, reason.Message);
        await _wire.DisposeAsync();
        if (!_pending.IsEmpty)
        {
            await Task.Delay(LossGrace, _time);
        }
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Fail(new ExchangeLostException(Endpoint, mayHaveArrived: true, reason));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _wire.DisposeAsync();
        await Closed;
    }

    [LoggerMessage(EventId = ServeEvents.ExchangeConnectionClosed, Level = LogLevel.Information, Message = "Data plane: the connection to {Endpoint} ended with {Pending} call(s) waiting ({Reason})")]
    private static partial void LogClosed(ILogger logger, string endpoint, int pending, string reason);
}
