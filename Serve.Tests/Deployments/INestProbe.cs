namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="NestProbe"/>.</summary>
public interface INestProbe
{
    /// <summary>
    /// Calls this deployment back from inside its synchronous part, through <see cref="INestRelay.BackAsync"/>
    /// (<paramref name="viaRelay"/>, A → B → A) or through its own handle (A → A), and answers what the call back said.
    /// </summary>
    Task<string> RoundTripAsync(bool viaRelay, CancellationToken cancellationToken = default);

    /// <summary>"overlap" when it ran while a synchronous part of a <see cref="RoundTripAsync"/> of the same instance was running; else "after".</summary>
    Task<string> EchoAsync(CancellationToken cancellationToken = default);
}
