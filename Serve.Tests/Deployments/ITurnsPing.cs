namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="TurnsPing"/>.</summary>
public interface ITurnsPing
{
    /// <summary>Calls <see cref="ITurnsPong.BackAsync"/>, which calls <see cref="EchoAsync"/> of this deployment back, and answers what that said.</summary>
    Task<string> RoundTripAsync(CancellationToken cancellationToken = default);

    /// <summary>"nested" when it ran inside the synchronous part of a <see cref="RoundTripAsync"/> of the same instance; else "after".</summary>
    Task<string> EchoAsync(CancellationToken cancellationToken = default);
}
