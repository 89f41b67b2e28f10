namespace Serve.Tests.Deployments;

/// <summary>What a chain of <see cref="ChainLink"/>s saw from one link down.</summary>
/// <param name="Links">The links the call went through.</param>
/// <param name="Inline">The links that ran on their caller's thread, under its synchronous part (no hop).</param>
/// <param name="FirstHop">How many links down from the first the first one that did not run inline was (0: the first); -1 when none.</param>
/// <param name="MostInside">The most pieces any of those links ever saw running at once (1 while the promise holds).</param>
public sealed record ChainTrace(int Links, int Inline, int FirstHop, int MostInside);
