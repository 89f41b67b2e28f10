namespace Serve.Tests.Deployments.Http;

/// <summary>The contract of <see cref="RacingConfigured"/>'s calls (its HTTP exchanges answer the same).</summary>
public interface IRacingConfigured
{
    /// <summary>"{instance}|{greeting}": the instance's id and the greeting it held when the call began.</summary>
    Task<string> GreetAsync(CancellationToken cancellationToken = default);
}
