namespace Serve.Http;

/// <summary>How the gateway took a push of response bytes.</summary>
[GenerateSerializer]
internal enum HttpPush : byte
{
    /// <summary>Taken: send the next.</summary>
    Accepted,

    /// <summary>Not taken yet (the client reads slowly and the previous bytes are still on their way): send the same again.</summary>
    Later,

    /// <summary>The client went away (or the exchange ended): stop the handler.</summary>
    Gone,
}
