namespace Serve.Exchange;

/// <summary>What reading a frame from the buffered bytes found (<see cref="ExchangeFrames.TryRead"/>).</summary>
internal enum ExchangeFrameStatus
{
    /// <summary>A whole frame.</summary>
    Complete,

    /// <summary>Not all of the frame's bytes arrived yet.</summary>
    Incomplete,

    /// <summary>Its length is over the limit: the connection closes, its bytes are never buffered.</summary>
    TooLarge,

    /// <summary>Its header makes no sense (a length shorter than a header, an unknown type): the connection closes.</summary>
    Malformed,
}
