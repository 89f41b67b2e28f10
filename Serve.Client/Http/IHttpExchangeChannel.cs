using Orleans.Concurrency;

namespace Serve.Http;

/// <summary>
/// A gateway's end of its HTTP exchanges, one per gateway process: a replica whose handler streams pushes the
/// response here, awaiting each push (back-pressure), and pulls a request body the gateway streams. Each answer comes well within Orleans' response timeout: a wait
/// for a slow client ends with "ask again". Its methods interleave: Orleans otherwise runs an observer's calls one at a
/// time, and every exchange of the gateway shares this one.
/// </summary>
[Alias("serve.http-exchange-channel")]
internal interface IHttpExchangeChannel : IGrainObserver
{
    /// <summary>Sends the response's status and headers, with its first bytes.</summary>
    [AlwaysInterleave, Alias("start")]
    ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head);

    /// <summary>Sends more of the response body.</summary>
    [AlwaysInterleave, Alias("write")]
    ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk);

    /// <summary>
    /// Takes up to <paramref name="maxBytes"/> more of the request body, waiting for the client to send some: at most a
    /// while, then "later". The first pull begins the exchange: it is never started again on another replica.
    /// </summary>
    [AlwaysInterleave, Alias("read")]
    ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes);
}
