namespace Serve.Tests.Deployments;

/// <summary>What a chain of <see cref="ChainLink"/>s saw from one link down.</summary>
/// <param name="Links">The links the call went through.</param>
/// <param name="Inline">The links that ran on their caller's thread, under its synchronous part (no hop).</param>
/// <param name="MostInside">The most pieces any of those links ever saw running at once (1 while the promise holds).</param>
public sealed record ChainTrace(int Links, int Inline, int MostInside);
