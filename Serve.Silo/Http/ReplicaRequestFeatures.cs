using System.Collections;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Serve.Http;

/// <summary>
/// The features of one request run in a replica, as Kestrel does it: one object is the collection
/// and the request-side features, so a request costs one allocation instead of a dictionary and a
/// feature object each. Features the pipeline adds or replaces (routing, query, items…) go to a
/// dictionary made on first use, which takes precedence over the built-in ones. Reused from exchange to exchange
/// (<see cref="ReplicaExchange"/>): <see cref="Start"/> takes up a request, <see cref="Reset"/> forgets it.
/// </summary>
internal sealed class ReplicaRequestFeatures :
    IFeatureCollection,
    IHttpRequestFeature,
    IHttpRequestBodyDetectionFeature,
    IHttpRequestLifetimeFeature,
    IHttpRequestIdentifierFeature,
    IHttpConnectionFeature
{
    private readonly ReplicaResponseFeature _response;
    private readonly IHttpResponseBodyFeature _responseBody;
    private HttpRequestData _request = Empty;
    private Dictionary<Type, object?>? _added;
    private int _revision;
    private string? _rawTarget;
    private IHeaderDictionary? _headers;
    private Stream? _body;
    private Stream? _streamedBody;
    private IPAddress? _remoteIpAddress;
    private bool _remoteIpParsed;

    /// <summary>What the features read between two exchanges: no request.</summary>
    private static readonly HttpRequestData Empty = new()
    {
        Method = "", Scheme = "", PathBase = "", Path = "", QueryString = "", Headers = [], Body = [],
    };

    public ReplicaRequestFeatures(ReplicaResponseFeature response, IHttpResponseBodyFeature responseBody)
    {
        _response = response;
        _responseBody = responseBody;
        Clear();
    }

    /// <summary>Takes up <paramref name="request"/>, whose body, when it streams, is read from <paramref name="streamedBody"/>.</summary>
    public void Start(HttpRequestData request, string requestId, CancellationToken aborted, Stream? streamedBody = null)
    {
        _request = request;
        _streamedBody = streamedBody;
        TraceIdentifier = requestId;
        RequestAborted = aborted;
        Method = request.Method;
        Scheme = request.Scheme;
        PathBase = request.PathBase;
        Path = request.Path;
        QueryString = request.QueryString;
        Protocol = request.Protocol;
    }

    /// <summary>
    /// Forgets the exchange: every request value, every feature the pipeline added or replaced (items, routing, request
    /// services…), and a new revision, so that a context caching features from this collection looks them up again.
    /// </summary>
    public void Reset()
    {
        _added?.Clear();
        _revision++;
        Clear();
    }

    private void Clear()
    {
        _request = Empty;
        _streamedBody = null;
        _rawTarget = null;
        _headers = null;
        _body = null;
        _remoteIpAddress = null;
        _remoteIpParsed = false;
        TraceIdentifier = "";
        RequestAborted = CancellationToken.None;
        Method = Scheme = PathBase = Path = QueryString = Protocol = "";
        ConnectionId = null!;
        LocalIpAddress = null;
        RemotePort = 0;
        LocalPort = 0;
    }

    public bool IsReadOnly => false;

    public int Revision => _revision;

    public object? this[Type key]
    {
        get => _added is not null && _added.TryGetValue(key, out var added) ? added : BuiltIn(key);
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            _added ??= [];
            _added[key] = value;
            _revision++;
        }
    }

    public TFeature? Get<TFeature>() => this[typeof(TFeature)] is TFeature feature ? feature : default;

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    private object? BuiltIn(Type key) =>
        key == typeof(IHttpRequestFeature) || key == typeof(IHttpRequestBodyDetectionFeature) || key == typeof(IHttpRequestLifetimeFeature)
            || key == typeof(IHttpRequestIdentifierFeature) || key == typeof(IHttpConnectionFeature) ? this
        : key == typeof(IHttpResponseFeature) || key == typeof(IHttpResponseTrailersFeature) ? _response
        : key == typeof(IHttpResponseBodyFeature) ? _responseBody
        : null;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        Type[] builtIn =
        [
            typeof(IHttpRequestFeature), typeof(IHttpRequestBodyDetectionFeature), typeof(IHttpRequestLifetimeFeature),
            typeof(IHttpRequestIdentifierFeature), typeof(IHttpConnectionFeature), typeof(IHttpResponseFeature), typeof(IHttpResponseTrailersFeature),
            typeof(IHttpResponseBodyFeature),
        ];
        foreach (var type in builtIn)
        {
            if (this[type] is { } feature)
            {
                yield return new(type, feature);
            }
        }
        foreach (var (type, feature) in _added ?? [])
        {
            if (feature is not null && !builtIn.Contains(type))
            {
                yield return new(type, feature);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // IHttpRequestFeature
    public string Protocol { get; set; } = "";

    public string Scheme { get; set; } = "";

    public string Method { get; set; } = "";

    public string PathBase { get; set; } = "";

    public string Path { get; set; } = "";

    public string QueryString { get; set; } = "";

    public string RawTarget
    {
        get => _rawTarget ??= _request.PathBase + _request.Path + _request.QueryString;
        set => _rawTarget = value;
    }

    public IHeaderDictionary Headers
    {
        get => _headers ??= CreateHeaders(_request.Headers);
        set => _headers = value;
    }

    public Stream Body
    {
        get => _body ??= _streamedBody ?? new MemoryStream(_request.Body, writable: false);
        set => _body = value;
    }

    // IHttpRequestBodyDetectionFeature
    public bool CanHaveBody => _request.Body.Length > 0 || _request.BodyStreams;

    // IHttpRequestLifetimeFeature: as before, Abort does not end the request early.
    public CancellationToken RequestAborted { get; set; }

    public void Abort()
    {
    }

    // IHttpRequestIdentifierFeature
    public string TraceIdentifier { get; set; } = "";

    // IHttpConnectionFeature
    public string ConnectionId { get; set; } = null!;

    public IPAddress? RemoteIpAddress
    {
        get
        {
            if (!_remoteIpParsed)
            {
                _remoteIpAddress = IPAddress.TryParse(_request.RemoteIpAddress, out var ip) ? ip : null;
                _remoteIpParsed = true;
            }
            return _remoteIpAddress;
        }
        set
        {
            _remoteIpAddress = value;
            _remoteIpParsed = true;
        }
    }

    public IPAddress? LocalIpAddress { get; set; }

    public int RemotePort { get; set; }

    public int LocalPort { get; set; }

    private static HeaderDictionary CreateHeaders(string[] flat)
    {
        var headers = new HeaderDictionary(flat.Length / 2);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            headers.Append(flat[i], flat[i + 1]);
        }
        return headers;
    }
}
