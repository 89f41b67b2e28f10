namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="BlockingProbe"/>.</summary>
public interface IBlockingProbe
{
    /// <summary>Blocks its thread, in its synchronous part, until the test releases <paramref name="name"/>; answers the instance's id.</summary>
    Task<string> BlockAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Uses the instance, recording a use after it was disposed; answers the instance's id.</summary>
    Task<string> UseAsync(CancellationToken cancellationToken = default);
}
