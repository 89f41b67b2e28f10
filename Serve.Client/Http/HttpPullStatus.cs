namespace Serve.Http;

/// <summary>How a pull of request body bytes from the gateway ended.</summary>
[GenerateSerializer]
internal enum HttpPullStatus : byte
{
    /// <summary>Bytes of the body, in <see cref="HttpPull.Data"/>.</summary>
    Data,

    /// <summary>Nothing arrived from the client yet (the pull waited its while): ask again.</summary>
    Later,

    /// <summary>The body has ended.</summary>
    End,

    /// <summary>The client went away, or the exchange ended.</summary>
    Gone,

    /// <summary>The body went past the gateway's MaxRequestBodySize: the gateway answers 413 (or cuts the connection once answering).</summary>
    TooLarge,

    /// <summary>The client sent a malformed body (a bad chunk, say): the gateway answers 400 (or cuts the connection once answering).</summary>
    Malformed,
}
