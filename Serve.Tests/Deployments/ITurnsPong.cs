namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="TurnsPong"/>.</summary>
public interface ITurnsPong
{
    /// <summary>Calls <see cref="ITurnsPing.EchoAsync"/> of its application's <see cref="TurnsPing"/> and answers what it said.</summary>
    Task<string> BackAsync(CancellationToken cancellationToken = default);
}
