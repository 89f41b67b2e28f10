namespace Serve.Replicas;

/// <summary>What <see cref="HandlerFaults"/> made of one failure of a deployment's handler, and so how it is logged.</summary>
internal enum HandlerFault
{
    /// <summary>The first failure of its kind: a Warning with the exception, so an operator sees the bug.</summary>
    First,

    /// <summary>A failure of a kind seen before: Debug, as it says nothing new.</summary>
    Again,

    /// <summary>Not the handler's bug (cancelled, its client gone, a timeout, back-pressure, the client's mistake: a 4xx): Debug.</summary>
    Expected,

    /// <summary>A new kind past <see cref="HandlerFaults.MaxKinds"/> others: Debug, so a flood of kinds cannot flood the log.</summary>
    Untracked,
}
