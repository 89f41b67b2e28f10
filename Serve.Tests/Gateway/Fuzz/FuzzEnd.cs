namespace Serve.Tests.Gateway.Fuzz;

/// <summary>How a fuzz exchange ended.</summary>
public enum FuzzEnd
{
    /// <summary>The gateway answered and closed the connection.</summary>
    Answered,

    /// <summary>The gateway closed the connection without a word: what it does with bytes that are not HTTP.</summary>
    ClosedWithoutAnswer,

    /// <summary>The client went away mid-request, as the case wanted; nothing to read.</summary>
    ClientAborted,

    /// <summary>The gateway neither answered everything nor closed in the time allowed.</summary>
    TimedOut,
}
