using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serve.Diagnostics;
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
    private readonly ExchangeCodec _codec;
    private readonly GatewayChannels? _channels;
    private readonly ILogger _logger;
    private readonly RepeatedWarning _channelCallFailures = new(RepeatedWarning.DefaultInterval);
    private int _channelCallsRunning;
    // The rest of a client's WebSocket message larger than a frame the silo takes, by the exchange's call id: handed out
    // a fragment per receive. Made with the first such message.
    private ConcurrentDictionary<long, (WebSocketFrame Frame, int Offset)>? _messageRests;
    private long _nextId;
    private volatile bool _closed;
    private Exception? _closedBy;

    /// <summary>
    /// How long calls still waiting when the connection breaks wait on before they fail. What their replicas sent the
    /// gateway through Orleans before the break (a pull of the request body, a pushed response head: a silo of an older
    /// release, or a router without the gateway's channels) travels on another connection and may be behind the break:
    /// it arrives within this, so the router's retry rule (no retry once an exchange has begun) sees it. Channel calls on
    /// this connection come before the break, in order. The replica's loss (its silo declared dead) or the caller's
    /// cancellation still end them at once.
    /// </summary>
    internal static readonly TimeSpan LossGrace = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time;

    /// <summary>
    /// Channel calls a silo may have waiting on this connection's gateway at once. A replica makes one at a time per
    /// direction of its exchange, so this is far above what calls in flight need; a silo past it breaks the rules.
    /// </summary>
    internal const int MaxChannelCallsRunning = 16 * 1024;

    /// <summary>The most request-body bytes one pull over this connection takes, whatever the silo asks.</summary>
    internal const int MaxPullBytes = 1024 * 1024;

    private ExchangeConnection(
        string endpoint, ExchangeWire wire, ExchangeLimits limits, ExchangeCodec codec, GatewayChannels? channels, TimeProvider time, ILogger logger,
        Action<ExchangeConnection>? unresponsive, byte version)
    {
        Version = version;
        _time = time;
        Endpoint = endpoint;
        _codec = codec;
        _channels = channels;
        _logger = logger;
        _wire = wire;
        _limits = limits;
        _unresponsive = unresponsive;
        _liveness = new ExchangeLiveness(limits.PingTimeout, time.GetTimestamp(), time.TimestampFrequency);
        if (version >= ExchangeFrames.PingVersion)
        {
            // A silo of an older release knows no ping: it would close the connection at one.
            var every = ExchangeLiveness.CheckEvery(limits.PingTimeout);
            _livenessTimer = time.CreateTimer(static state => ((ExchangeConnection)state!).CheckLiveness(), this, every, every);
        }
        Closed = RunAsync();
    }

    private readonly ExchangeLimits _limits;
    private readonly Action<ExchangeConnection>? _unresponsive;
    private readonly ExchangeLiveness _liveness;
    private readonly ITimer? _livenessTimer;
    private readonly Lock _checking = new();
    private long _pings;
    private long _pongs;

    /// <summary>Pings sent so far.</summary>
    internal long PingsSent => Interlocked.Read(ref _pings);

    /// <summary>Pongs the silo sent back so far.</summary>
    internal long PongsReceived => Volatile.Read(ref _pongs);
    private Exception? _unresponsiveError;

    /// <summary>
    /// Whether the silo stopped answering (<see cref="ExchangeLiveness"/>): the connection was then closed as broken, and
    /// the calls waiting on it end as after any break.
    /// </summary>
    public bool WasUnresponsive => Volatile.Read(ref _unresponsiveError) is not null;

    /// <summary>A look at the silo's liveness, on the timer: a ping when it has been silent a while, the end when a ping went unanswered.</summary>
    private void CheckLiveness()
    {
        LivenessVerdict verdict;
        lock (_checking)
        {
            if (_closed)
            {
                return;
            }
            verdict = _liveness.Check(_time.GetTimestamp(), _wire.Reads);
        }
        if (verdict == LivenessVerdict.Ping)
        {
            _wire.TryWrite(ExchangeFrameType.Ping, Interlocked.Increment(ref _pings), []);
        }
        else if (verdict == LivenessVerdict.Unresponsive)
        {
            _ = DeclareUnresponsiveAsync();
        }
    }

    /// <summary>
    /// The silo did not answer a ping in time (frozen, or cut off by a network that drops its packets silently): the
    /// connection ends at once as a broken one does, so its calls end as lost, and its owner keeps routers away from the
    /// silo (<see cref="PeerAvoidance"/>).
    /// </summary>
    private async Task DeclareUnresponsiveAsync()
    {
        var error = new TimeoutException(
            $"the silo at {Endpoint} did not answer a ping within {_limits.PingTimeout.TotalSeconds:0.#} s ({_limits.PingSetting}): it is frozen or cut off");
        if (Interlocked.CompareExchange(ref _unresponsiveError, error, null) is not null)
        {
            return;
        }
        _closed = true;
        LogUnresponsive(_logger, Endpoint, _limits.PingTimeout, _limits.PingSetting, _pending.Count);
        _unresponsive?.Invoke(this);
        await _wire.AbortAsync();
    }

    /// <summary>
    /// Opens the connection on <paramref name="stream"/> (connected, and authenticated when the cluster has TLS): sends
    /// the preface of <paramref name="version"/> (this process's, unless a silo of an older release closed at it) and
    /// waits for the silo's answer, so that no call goes to a silo that does not speak it. Fails with an
    /// <see cref="InvalidDataException"/> naming what the silo did instead, or an <see cref="ExchangePrefaceClosedException"/>
    /// when it closed at the preface (the stream is then closed). With <paramref name="channels"/> (a
    /// gateway's process), the replicas' calls to the channels of the HTTP exchanges it sends come back on this connection.
    /// <c>unresponsive</c> is told, once, when the silo stops answering pings (from version 3), as the connection closes.
    /// </summary>
    public static async Task<ExchangeConnection> OpenAsync(
        string endpoint, Stream stream, ExchangeLimits limits, ExchangeCodec codec, GatewayChannels? channels,
        TimeProvider time, ILogger logger, CancellationToken cancellationToken, byte version = ExchangeFrames.Version,
        Action<ExchangeConnection>? unresponsive = null)
    {
        var wire = new ExchangeWire(stream, limits.MaxFrameBytes, limits.FrameSetting);
        try
        {
            wire.WritePreface(version, limits);
            ExchangePreface answer;
            try
            {
                answer = await wire.ReadPrefaceAsync(cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"the silo at {endpoint} {e.Message}", e);
            }
            catch (IOException e)
            {
                // A silo that closes at a preface it does not speak may reset the connection (its bytes were not all read).
                throw new ExchangePrefaceClosedException(
                    $"the silo at {endpoint} closed the connection at the data plane's preface ({e.Message}): it may run an older Serve, whose data plane does not speak version {version}", e);
            }
            if (answer.Version != version)
            {
                throw answer.Version switch
                {
                    -1 => new ExchangePrefaceClosedException(
                        $"the silo at {endpoint} closed the connection at the data plane's preface: it may run an older Serve, whose data plane does not speak version {version}"),
                    0 => new InvalidDataException($"the silo at {endpoint} did not answer with the data plane's preface: something else listens there"),
                    _ => new InvalidDataException($"the silo at {endpoint} answered with data-plane version {answer.Version}, and this process speaks {version}"),
                };
            }
            if (answer.Limit is { } limit)
            {
                wire.PeerAnnounced(limit);
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
        return new ExchangeConnection(endpoint, wire, limits, codec, channels, time, logger, unresponsive, version);
    }

    /// <summary>The version the connection speaks: from 3 on, frames to the silo stay within the limit it announced.</summary>
    public byte Version { get; }

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
        var pending = new PendingExchange(this, id, replicaId, _channels is not null ? call : null);
        _pending[id] = pending;
        bool sent;
        try
        {
            var payload = new ExchangeCall
            {
                ReplicaId = replicaId, Context = RequestContextExtensions.Export(_codec.Copier), Call = call, Request = request,
                ChannelsOnDataPlane = call is not null && _channels is not null,
            };
            sent = _wire.TryWrite(ExchangeFrameType.Call, id, payload, _codec.Calls);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
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

    /// <summary>Ends the calls waiting on <paramref name="replicaId"/>, which was lost with its silo (<see cref="PendingExchange.Lost"/>).</summary>
    public void ReplicaLost(string replicaId)
    {
        foreach (var (_, pending) in _pending)
        {
            if (pending.ReplicaId == replicaId)
            {
                pending.Lost();
            }
        }
    }

    /// <summary>Takes the call out of the table; false when its reply or the connection's end came first.</summary>
    internal bool Forget(PendingExchange pending)
    {
        _messageRests?.TryRemove(pending.CallId, out _);
        return _pending.TryRemove(new KeyValuePair<long, PendingExchange>(pending.CallId, pending));
    }

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
        // Closed for its silence, the reading's failure is only the close's echo.
        await CloseAsync(Volatile.Read(ref _unresponsiveError) ?? error ?? new EndOfStreamException($"The silo at {Endpoint} closed the data-plane connection."));
    }

    private void OnFrame(ExchangeFrame frame)
    {
        switch (frame.Type)
        {
            case ExchangeFrameType.Reply:
                // A reply to a call already cancelled (or unknown) is dropped.
                if (_pending.TryRemove(frame.CallId, out var pending))
                {
                    _messageRests?.TryRemove(frame.CallId, out _);
                    ReplicaResponse reply;
                    try
                    {
                        reply = _codec.Replies.Deserialize(frame.Payload) ?? throw new InvalidDataException("it is empty");
                    }
                    catch (Exception e)
                    {
                        // Out of the table already, so the close's sweep would miss it: it fails here, as the others will.
                        var unreadable = new InvalidDataException($"The silo at {Endpoint} sent a reply to call {frame.CallId} that could not be read: {e.Message}", e);
                        pending.Fail(new ExchangeLostException(Endpoint, mayHaveArrived: true, unreadable));
                        throw unreadable;
                    }
                    pending.Answer(reply);
                }
                break;
            case ExchangeFrameType.Pong:
                // Its arrival counted already (ExchangeWire.Reads): any bytes from the silo are a sign of life.
                Volatile.Write(ref _pongs, _pongs + 1);
                break;
            case ExchangeFrameType.ChannelCall when _channels is not null:
                var call = _codec.ChannelCalls.Deserialize(frame.Payload) ?? throw new InvalidDataException($"The silo at {Endpoint} sent an empty channel call.");
                GatewayChannelCall.Validate(call);
                if (Interlocked.Increment(ref _channelCallsRunning) > MaxChannelCallsRunning)
                {
                    throw new InvalidDataException($"The silo at {Endpoint} has more than {MaxChannelCallsRunning} channel calls waiting on this gateway.");
                }
                // Only an exchange this connection carries, and still waits for, is reached: one that ended answers "gone".
                var exchange = _pending.TryGetValue(call.CallId, out var waiting) ? waiting.Http : null;
                LogChannelCall(_logger, call.Method, exchange?.RequestId, Endpoint);
                _ = AnswerAsync(frame.CallId, call, exchange);
                break;
            default:
                throw new InvalidDataException($"The silo at {Endpoint} sent a {frame.Type} frame; a router's connection takes replies, pongs"
                    + (_channels is not null ? " and channel calls only." : " only."));
        }
    }

    /// <summary>Carries out a replica's channel call on this gateway's channels, and sends the answer back.</summary>
    private async Task AnswerAsync(long channelCallId, ExchangeChannelCall call, Http.HttpCall? exchange)
    {
        ExchangeChannelReply reply;
        try
        {
            reply = exchange is null ? ExchangeChannelReply.Gone
                : call.Method == ExchangeChannelMethod.Receive && TakeMessageRest(call.CallId) is { } rest ? new() { Frame = rest }
                : await GatewayChannelCall.InvokeAsync(_channels!, exchange, call, MaxPullBytes);
            if (reply.Frame is { } message && message.Data.Length > MaxPieceBytes && Version >= ExchangeFrames.LimitsVersion)
            {
                // Over what the silo takes in a frame: it gets the message in fragments, one per receive (a silo of an
                // older release, which would take each for a whole message, never gets this far: its limit is not known).
                reply = new() { Frame = FirstFragment(call.CallId, message) };
            }
        }
        catch (Exception e)
        {
            // The peer's replicas decide how often this happens (one per call of each exchange that fails here): a
            // warning at most once a minute, counting the others, each of which is at Debug.
            if (_channelCallFailures.TryWarn(_time.GetUtcNow(), out var folded))
            {
                LogChannelCallFailed(_logger, call.Method, Endpoint, folded, e);
            }
            else
            {
                LogChannelCallFailedAgain(_logger, call.Method, Endpoint, e);
            }
            reply = ExchangeChannelReply.Gone;
        }
        finally
        {
            Interlocked.Decrement(ref _channelCallsRunning);
        }
        try
        {
            _wire.TryWrite(ExchangeFrameType.ChannelReply, channelCallId, reply, _codec.ChannelReplies);
        }
        catch (MessageTooLargeException)
        {
            // Pulls are bounded well below any frame limit a silo starts with; a limit lower still answers "gone".
            _wire.TryWrite(ExchangeFrameType.ChannelReply, channelCallId, ExchangeChannelReply.Gone, _codec.ChannelReplies);
        }
    }

    /// <summary>
    /// The most bytes of a WebSocket message one channel reply carries: its frame must fit the smaller of this end's limit
    /// and the silo's, with the reply's other fields (a kilobyte is left for them).
    /// </summary>
    internal int MaxPieceBytes => _wire.MaxSendBytes - 1024;

    /// <summary>The first fragment of <paramref name="message"/>; the rest waits for the exchange's next receives.</summary>
    private WebSocketFrame FirstFragment(long callId, WebSocketFrame message)
    {
        if (_messageRests is null)
        {
            Interlocked.CompareExchange(ref _messageRests, new(), null);
        }
        _messageRests[callId] = (message, 0);
        return TakeMessageRest(callId)!;
    }

    /// <summary>The next fragment of the message the exchange of <paramref name="callId"/> is receiving; null when none is left.</summary>
    private WebSocketFrame? TakeMessageRest(long callId)
    {
        if (_messageRests is null || !_messageRests.TryGetValue(callId, out var rest))
        {
            return null;
        }
        var (message, offset) = rest;
        var count = Math.Min(MaxPieceBytes, message.Data.Length - offset);
        var last = offset + count == message.Data.Length;
        if (last)
        {
            _messageRests.TryRemove(callId, out _);
        }
        else
        {
            _messageRests[callId] = (message, offset + count);
        }
        return message with { Data = message.Data.AsSpan(offset, count).ToArray(), EndOfMessage = last && message.EndOfMessage };
    }

    private async Task CloseAsync(Exception reason)
    {
        _closedBy = reason;
        _closed = true;
        if (_livenessTimer is not null)
        {
            await _livenessTimer.DisposeAsync();
        }
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

    [LoggerMessage(EventId = ServeEvents.ExchangeChannelCall, Level = LogLevel.Debug, Message = "Data plane: {Method} on exchange {RequestId} from {Endpoint}")]
    private static partial void LogChannelCall(ILogger logger, ExchangeChannelMethod method, string? requestId, string endpoint);

    [LoggerMessage(EventId = ServeEvents.ExchangeChannelCallFailed, Level = LogLevel.Warning,
        Message = "Data plane: a replica's {Method} call on its exchange from {Endpoint} failed here, and was answered as gone ({Folded} more such failure(s) on this connection since the last of these warnings, written at Debug; at most one of these a minute)")]
    private static partial void LogChannelCallFailed(ILogger logger, ExchangeChannelMethod method, string endpoint, long folded, Exception error);

    [LoggerMessage(EventId = ServeEvents.ExchangeChannelCallFailedAgain, Level = LogLevel.Debug, Message = "Data plane: a replica's {Method} call on its exchange from {Endpoint} failed here, and was answered as gone")]
    private static partial void LogChannelCallFailedAgain(ILogger logger, ExchangeChannelMethod method, string endpoint, Exception error);

    [LoggerMessage(EventId = ServeEvents.ExchangeUnresponsive, Level = LogLevel.Warning,
        Message = "Data plane: the silo at {Endpoint} did not answer a ping within {Timeout} ({Setting}): it is frozen or cut off. Its connection is closed as broken ({Pending} call(s) on it end as lost), and routers keep new calls away from its replicas until a connection to it works again")]
    private static partial void LogUnresponsive(ILogger logger, string endpoint, TimeSpan timeout, string setting, int pending);

    [LoggerMessage(EventId = ServeEvents.ExchangeConnectionClosed, Level = LogLevel.Information, Message = "Data plane: the connection to {Endpoint} ended with {Pending} call(s) waiting ({Reason})")]
    private static partial void LogClosed(ILogger logger, string endpoint, int pending, string reason);
}
