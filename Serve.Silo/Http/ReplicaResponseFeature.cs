using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Serve.Http;

/// <summary>Status, headers and trailers of a response built in a replica, with OnStarting/OnCompleted callbacks honoured.</summary>
internal sealed class ReplicaResponseFeature : IHttpResponseFeature, IHttpResponseTrailersFeature
{
    private IHeaderDictionary? _trailers;

    // Made on first registration: most requests register nothing.
    private List<(Func<object, Task> Callback, object State)>? _starting;
    private List<(Func<object, Task> Callback, object State)>? _completed;

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; }

    // Kept from exchange to exchange, emptied: its dictionary keeps its room.
    private readonly HeaderDictionary _headers;

    public ReplicaResponseFeature() => Headers = _headers = new HeaderDictionary();

    public Stream Body { get; set; } = Stream.Null;

    public bool HasStarted { get; private set; }

    /// <summary>Made on first use: only gRPC and a few others send trailers.</summary>
    public IHeaderDictionary Trailers
    {
        get => _trailers ??= new HeaderDictionary();
        set => _trailers = value;
    }

    /// <summary>The trailers set, if any, without making an empty dictionary.</summary>
    public IHeaderDictionary? TrailersIfAny => _trailers;

    public void OnStarting(Func<object, Task> callback, object state) => (_starting ??= []).Add((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state) => (_completed ??= []).Add((callback, state));

    /// <summary>Forgets the response for the next exchange: status, headers, trailers, callbacks.</summary>
    public void Reset()
    {
        StatusCode = StatusCodes.Status200OK;
        ReasonPhrase = null;
        _headers.Clear();
        Headers = _headers;
        Body = Stream.Null;
        HasStarted = false;
        _trailers = null;
        _starting = null;
        _completed = null;
    }

    /// <summary>Runs the OnStarting callbacks (last registered first) once, before the first byte leaves.</summary>
    public async ValueTask StartAsync()
    {
        if (HasStarted)
        {
            return;
        }
        HasStarted = true;
        if (_starting is null)
        {
            return;
        }
        for (var i = _starting.Count - 1; i >= 0; i--)
        {
            await _starting[i].Callback(_starting[i].State);
        }
    }

    /// <summary>
    /// Runs the OnCompleted callbacks (last registered first) once the handler is done; among them the
    /// disposal of the request's service scope and of objects registered with <c>RegisterForDispose</c>.
    /// </summary>
    public async ValueTask CompleteAsync()
    {
        if (_completed is null)
        {
            return;
        }
        for (var i = _completed.Count - 1; i >= 0; i--)
        {
            await _completed[i].Callback(_completed[i].State);
        }
    }
}
