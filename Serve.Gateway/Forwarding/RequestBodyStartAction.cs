namespace Serve.Forwarding;

/// <summary>What <see cref="RequestBodyStartRule"/> says of a request body without a length, as far as it has arrived.</summary>
internal enum RequestBodyStartAction
{
    /// <summary>Not ended, small so far, within the window: read on.</summary>
    ReadOn,

    /// <summary>Ended within the inline limit: the body travels whole, in the call.</summary>
    Inline,

    /// <summary>Past the inline limit, or not ended within the window: the exchange starts, and the replica pulls the rest.</summary>
    Stream,

    /// <summary>Past the size limit: refused before the exchange.</summary>
    TooLarge,
}
