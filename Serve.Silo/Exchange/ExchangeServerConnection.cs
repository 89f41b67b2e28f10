using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serve.Grains;
using Serve.Http;
using Serve.Routing;

namespace Serve.Exchange;

/// <summary>
/// The silo's end of one data-plane connection: reads calls and cancels, runs each call on the thread pool, writes each
/// answer as it comes. At most <see cref="ExchangeLimits.MaxCallsInFlight"/> calls run at once per connection: past it,
/// a new call is answered as full at once (the router tries again, elsewhere or later), and reading goes on, so a cancel
/// for a call in flight always arrives. Reading waits while more than <see cref="MaxUnsentBytes"/> of answers wait to be
/// sent, so a peer that sends calls without reading their answers cannot grow this silo's memory without bound. A frame
/// over the size limit, or one that breaks the wire's rules, closes the connection (and only it), as does a peer that
/// does not open with the preface before its time to open is up, or names a version this silo does not speak. A preface
/// of this version is answered with the same, before anything else. Each such close is a refusal, reported to its owner
/// (the listener's bounded refusal log) rather than logged here, so a loop of bad connects costs no line each.
/// </summary>
internal sealed partial class ExchangeServerConnection
{
    private readonly ExchangeWire _wire;
    private readonly ExchangeLimits _limits;
    private readonly ExchangeCodec _codec;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<ExchangeRefusal, string> _refused;
    private readonly ConcurrentDictionary<long, ExchangeServerCall> _running = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ExchangeChannelReply>> _channelCalls = new();
    private readonly string _peer;
    private int _inFlight;
    private long _lastChannelCall;
    private volatile bool _ended;

    /// <summary>Answers queued and not yet sent past which this connection's reading waits for its peer to read.</summary>
    public const long MaxUnsentBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Channel calls this connection's replicas may have waiting on the gateway at once; past it, another fails at once.
    /// Each exchange makes one at a time per direction, so only a gateway that stopped answering reaches it.
    /// </summary>
    public const int MaxChannelCallsWaiting = 16 * 1024;

    /// <summary>
    /// How long a channel call waits for the gateway's answer, as an Orleans call waits for its response: the gateway
    /// answers each within a while ("later", when its client is slow), so only a gateway cut off without the connection
    /// breaking (a network that drops it silently) lets this pass, and the replica's exchange then fails instead of
    /// holding its slot.
    /// </summary>
    public static readonly TimeSpan ChannelCallTimeout = TimeSpan.FromSeconds(30);

    /// <param name="refused">Told why, when this connection is closed for what its peer sent (or did not send in time).</param>
    public ExchangeServerConnection(
        Stream stream, string peer, ExchangeLimits limits, ILocalReplicas replicas, ExchangeCodec codec, TimeProvider time, ILogger logger,
        Action<ExchangeRefusal, string> refused)
    {
        _time = time;
        _refused = refused;
        _peer = peer;
        _limits = limits;
        Replicas = replicas;
        _codec = codec;
        _logger = logger;
        _wire = new ExchangeWire(stream, limits.MaxFrameBytes, limits.FrameSetting);
    }

    public ILocalReplicas Replicas { get; }

    /// <summary>
    /// The most request-body bytes one pull over this connection asks for: the gateway's answer carries them in one frame,
    /// which must fit this silo's <see cref="ExchangeLimits.MaxFrameBytes"/> (at least 4096) with its header and the
    /// pull's other fields (a few dozen bytes; a kilobyte is left for them).
    /// </summary>
    public int MaxPullBytes => _limits.MaxFrameBytes - 1024;

    /// <summary>
    /// The most bytes of a body or WebSocket message one channel call carries: its frame must fit the smaller of this
    /// silo's limit and its router's (<see cref="ExchangeWire.MaxSendBytes"/>) with the call's other fields (a kilobyte is
    /// left for them, as for a pull). Larger ones go in pieces (<see cref="ExchangeCallChannels"/>).
    /// </summary>
    public int MaxPieceBytes => _wire.MaxSendBytes - 1024;

    /// <summary>
    /// Serves the connection until the peer closes it, breaks the rules, or <paramref name="stopping"/> fires.
    /// <paramref name="opening"/> fires when the peer's time to open (<see cref="ExchangeListener.HandshakeTimeout"/>
    /// from its connect) is up: without the preface by then, the connection is closed. <paramref name="opened"/> is
    /// called once the peer's preface has been taken (it speaks a version this silo serves).
    /// </summary>
    public async Task RunAsync(CancellationToken opening, CancellationToken stopping, Action? opened = null)
    {
        try
        {
            ExchangePreface preface;
            using (var prefaceTime = CancellationTokenSource.CreateLinkedTokenSource(opening, stopping))
            {
                try
                {
                    preface = await _wire.ReadPrefaceAsync(prefaceTime.Token);
                }
                catch (OperationCanceledException) when (opening.IsCancellationRequested && !stopping.IsCancellationRequested)
                {
                    _refused(ExchangeRefusal.NoPreface, $"no data-plane preface within {ExchangeListener.HandshakeTimeout.TotalSeconds:0} s of connecting");
                    return;
                }
            }
            var version = preface.Version;
            if (version <= 0)
            {
                _refused(ExchangeRefusal.NoPreface, "it did not open with the data plane's preface");
                return;
            }
            if (version is < ExchangeFrames.OldestVersion or > ExchangeFrames.Version)
            {
                _refused(ExchangeRefusal.UnsupportedVersion,
                    $"it speaks data-plane version {version}, and this silo speaks versions {ExchangeFrames.OldestVersion} to {ExchangeFrames.Version} (a router of another Serve release)");
                return;
            }
            opened?.Invoke();
            if (preface.Limit is { } limit)
            {
                // Its replies and channel calls stay within the router's limit, if smaller: one that would not fails alone.
                _wire.PeerAnnounced(limit);
            }
            if (version > ExchangeFrames.OldestVersion)
            {
                // The router waits for this before it sends a call; one of version 1 does not, and would take it for a frame.
                _wire.WritePreface((byte)version, _limits);
            }
            var status = await _wire.ReadAsync(OnFrame, () => _wire.WaitForUnsentBelowAsync(MaxUnsentBytes), stopping);
            if (status == ExchangeFrameStatus.TooLarge)
            {
                _refused(ExchangeRefusal.FrameTooLarge,
                    $"a frame of {_wire.LastDeclaredSize} bytes is over the limit of {_limits.MaxFrameBytes} bytes (Serve:Silo:ExchangeMaxFrameBytes)");
            }
            else if (status != ExchangeFrameStatus.Complete)
            {
                _refused(ExchangeRefusal.BadFrame, $"a frame broke the wire's rules ({status})");
            }
        }
        catch (InvalidDataException e)
        {
            _refused(ExchangeRefusal.BadFrame, e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went, or this silo stops.
        }
        finally
        {
            _ended = true;
            foreach (var call in _running.Values)
            {
                call.Cancel();
            }
            foreach (var id in _channelCalls.Keys)
            {
                if (_channelCalls.TryRemove(id, out var waiting))
                {
                    waiting.TrySetException(ChannelLost());
                }
            }
            await _wire.DisposeAsync();
        }
    }

    /// <summary>
    /// Sends a replica's call to its exchange's channel to the gateway at the other end, and waits for the answer. Fails
    /// with an <see cref="IOException"/> when the connection ends first, and with a <see cref="TimeoutException"/> past
    /// <see cref="ChannelCallTimeout"/>.
    /// </summary>
    public Task<ExchangeChannelReply> CallChannelAsync(ExchangeChannelCall call)
    {
        if (_ended)
        {
            return Task.FromException<ExchangeChannelReply>(ChannelLost());
        }
        if (_channelCalls.Count >= MaxChannelCallsWaiting)
        {
            return Task.FromException<ExchangeChannelReply>(new IOException(
                $"The gateway at {_peer} has {MaxChannelCallsWaiting} channel calls from this silo unanswered; this one is not sent."));
        }
        var id = Interlocked.Increment(ref _lastChannelCall);
        var waiting = new TaskCompletionSource<ExchangeChannelReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _channelCalls[id] = waiting;
        bool sent;
        try
        {
            sent = _wire.TryWrite(ExchangeFrameType.ChannelCall, id, call, _codec.ChannelCalls);
        }
        catch
        {
            _channelCalls.TryRemove(id, out _);
            throw;
        }
        // Ended meanwhile: the frame never left, or the end's sweep may have missed this call.
        if ((!sent || _ended) && _channelCalls.TryRemove(id, out _))
        {
            waiting.TrySetException(ChannelLost());
        }
        return WaitForAnswerAsync(id, waiting.Task);
    }

    private async Task<ExchangeChannelReply> WaitForAnswerAsync(long id, Task<ExchangeChannelReply> answer)
    {
        try
        {
            return await answer.WaitAsync(ChannelCallTimeout, _time);
        }
        catch (TimeoutException)
        {
            _channelCalls.TryRemove(id, out _);
            throw new TimeoutException($"The gateway at {_peer} did not answer a channel call of its exchange within {ChannelCallTimeout.TotalSeconds:0} s.");
        }
    }

    private IOException ChannelLost() => new($"The data-plane connection to the gateway at {_peer} ended: the exchange's client cannot be reached any more.");

    private void OnFrame(ExchangeFrame frame)
    {
        switch (frame.Type)
        {
            case ExchangeFrameType.Call:
                ExchangeCall payload;
                try
                {
                    payload = _codec.Calls.Deserialize(frame.Payload) ?? throw new InvalidDataException("an empty call");
                    if ((payload.Call is null) == (payload.Request is null))
                    {
                        throw new InvalidDataException("it carries neither an HTTP exchange nor a handle call, or both");
                    }
                }
                catch (Exception e)
                {
                    throw new InvalidDataException($"call {frame.CallId} could not be read: {e.Message}", e);
                }
                // Only this thread adds calls, so the bound holds; ended calls make room from other threads.
                if (Volatile.Read(ref _inFlight) >= _limits.MaxCallsInFlight)
                {
                    LogFull(_logger, payload.RequestId, _peer, _limits.MaxCallsInFlight);
                    Reply(frame.CallId, ReplicaResponse.Full);
                    break;
                }
                if (payload is { ChannelsOnDataPlane: true, Call: { } http })
                {
                    // The gateway takes this exchange's pushes and pulls on this connection, not as Orleans messages.
                    var channels = new ExchangeCallChannels(this, frame.CallId);
                    payload = new ExchangeCall
                    {
                        ReplicaId = payload.ReplicaId, Context = payload.Context, ChannelsOnDataPlane = true,
                        Call = http with { Channel = channels, WebSockets = http.WebSockets is null ? null : channels },
                    };
                }
                var call = new ExchangeServerCall(this, frame.CallId, payload);
                if (!_running.TryAdd(frame.CallId, call))
                {
                    throw new InvalidDataException($"call id {frame.CallId} is already in use");
                }
                Interlocked.Increment(ref _inFlight);
                LogServing(_logger, payload.ReplicaId, payload.RequestId, _peer);
                ThreadPool.UnsafeQueueUserWorkItem(call, preferLocal: true);
                break;
            case ExchangeFrameType.Ping:
                // Answered from the reading loop, ahead of calls still running: the router asks whether this process runs.
                _wire.TryWrite(ExchangeFrameType.Pong, frame.CallId, []);
                break;
            case ExchangeFrameType.Cancel:
                if (_running.TryGetValue(frame.CallId, out var cancelled))
                {
                    cancelled.Cancel();
                }
                break;
            case ExchangeFrameType.ChannelReply:
                // Only an answer to a channel call this connection sent and still waits for is taken.
                if (_channelCalls.TryRemove(frame.CallId, out var answered))
                {
                    ExchangeChannelReply reply;
                    try
                    {
                        reply = _codec.ChannelReplies.Deserialize(frame.Payload) ?? throw new InvalidDataException("it is empty");
                    }
                    catch (Exception e)
                    {
                        answered.TrySetException(ChannelLost());
                        throw new InvalidDataException($"the answer to channel call {frame.CallId} could not be read: {e.Message}", e);
                    }
                    answered.TrySetResult(reply);
                }
                break;
            default:
                throw new InvalidDataException($"a {frame.Type} frame came from a router");
        }
    }

    /// <summary>
    /// A call ended: its answer goes back (unless its caller cancelled it), and its room is free. An HTTP answer too large
    /// for one frame streams instead (<see cref="StreamAnswerAsync"/>), and frees its room once sent.
    /// </summary>
    public void Ended(ExchangeServerCall call, ReplicaResponse? response)
    {
        if (response is not null && !TryReply(call.CallId, response, out var tooLarge))
        {
            if (response.Http is { } answer && call.Http is { } http)
            {
                _ = StreamAnswerAsync(call, http, answer, tooLarge);
                return;
            }
            LogReplyTooLarge(_logger, call.CallId, _peer, tooLarge.Size, tooLarge.Limit, tooLarge.Setting);
            _wire.TryWrite(ExchangeFrameType.Reply, call.CallId, ReplicaResponse.Faulted(tooLarge), _codec.Replies);
        }
        Free(call);
    }

    private void Free(ExchangeServerCall call)
    {
        _running.TryRemove(call.CallId, out _);
        Interlocked.Decrement(ref _inFlight);
    }

    private void Reply(long callId, ReplicaResponse response)
    {
        if (!TryReply(callId, response, out var tooLarge))
        {
            LogReplyTooLarge(_logger, callId, _peer, tooLarge.Size, tooLarge.Limit, tooLarge.Setting);
            _wire.TryWrite(ExchangeFrameType.Reply, callId, ReplicaResponse.Faulted(tooLarge), _codec.Replies);
        }
    }

    /// <summary>Queues the reply; false, with the error, when it is over the frame limit (nothing is queued then).</summary>
    private bool TryReply(long callId, ReplicaResponse response, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out MessageTooLargeException? tooLarge)
    {
        try
        {
            _wire.TryWrite(ExchangeFrameType.Reply, callId, response, _codec.Replies);
            tooLarge = null;
            return true;
        }
        catch (MessageTooLargeException e)
        {
            tooLarge = e;
            return false;
        }
    }

    /// <summary>
    /// Sends an HTTP answer given whole (a handler that wrote its body and ended) but too large for one frame as a
    /// streamed response: its head through the exchange's channel, its body in pieces that fit, then the reply with its
    /// trailers, as a replica whose handler streams does. The gateway of any release takes it so; its client sees the
    /// answer whole. Channel calls are answered in turn, so this holds one call's room while its body goes.
    /// </summary>
    private async Task StreamAnswerAsync(ExchangeServerCall call, Http.HttpCall http, Http.HttpResponseData answer, MessageTooLargeException tooLarge)
    {
        LogAnswerStreamed(_logger, call.CallId, _peer, tooLarge.Size, tooLarge.Limit, tooLarge.Setting);
        ReplicaResponse reply;
        try
        {
            var head = answer with { Body = [], Trailers = [] };
            // The channel splits what is over a frame (ExchangeCallChannels), or an Orleans channel carries it whole.
            reply = await PushedAsync(() => http.Channel.StartAsync(http.ExchangeId, head))
                && await PushedAsync(() => http.Channel.WriteAsync(http.ExchangeId, answer.Body))
                ? ReplicaResponse.Answered(new Http.HttpResponseData { StatusCode = answer.StatusCode, Trailers = answer.Trailers })
                : ReplicaResponse.Faulted(new IOException("The client went away while the answer streamed."));
        }
        catch (Exception e)
        {
            reply = ReplicaResponse.Faulted(e);
        }
        try
        {
            Reply(call.CallId, reply);
        }
        finally
        {
            Free(call);
        }
    }

    /// <summary>True once a push was taken (sent again while the gateway answers "later"); false when its client is gone.</summary>
    private static async ValueTask<bool> PushedAsync(Func<ValueTask<HttpPush>> push)
    {
        while (true)
        {
            switch (await push())
            {
                case HttpPush.Accepted:
                    return true;
                case HttpPush.Gone:
                    return false;
            }
        }
    }

    [LoggerMessage(EventId = ServeEvents.ExchangeCallServed, Level = LogLevel.Debug, Message = "Data plane: exchange {RequestId} for replica {Replica} from {Peer}")]
    private static partial void LogServing(ILogger logger, string replica, string requestId, string peer);

    [LoggerMessage(EventId = ServeEvents.ExchangeCallFull, Level = LogLevel.Debug, Message = "Data plane: exchange {RequestId} from {Peer} answered as full: the connection has {Limit} call(s) running (Serve:Silo:ExchangeMaxCallsInFlight)")]
    private static partial void LogFull(ILogger logger, string requestId, string peer, int limit);

    [LoggerMessage(EventId = ServeEvents.ExchangeReplyTooLarge, Level = LogLevel.Error, Message = "Data plane: the answer to call {CallId} from {Peer} is {Size} bytes, over the limit of {Limit} bytes ({Setting}); it fails instead")]
    private static partial void LogReplyTooLarge(ILogger logger, long callId, string peer, long size, int limit, string setting);

    [LoggerMessage(EventId = ServeEvents.ExchangeAnswerStreamed, Level = LogLevel.Debug, Message = "Data plane: the HTTP answer to call {CallId} from {Peer} is {Size} bytes, over the limit of {Limit} bytes ({Setting}); its body streams")]
    private static partial void LogAnswerStreamed(ILogger logger, long callId, string peer, long size, int limit, string setting);
}
