namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="ChainLink"/>.</summary>
public interface IChainLink
{
    /// <summary>
    /// Calls the next link (from its synchronous part, so an idle next link may run on this thread) and answers what the
    /// chain from here down saw. <paramref name="callerPart"/> names the caller's synchronous part (<see cref="ChainLink"/>).
    /// </summary>
    Task<ChainTrace> DescendAsync(long callerPart, CancellationToken cancellationToken = default);
}
