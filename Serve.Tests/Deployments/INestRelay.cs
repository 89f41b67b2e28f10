namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="NestRelay"/>.</summary>
public interface INestRelay
{
    /// <summary>
    /// Calls <see cref="INestProbe.EchoAsync"/> of its application's <see cref="NestProbe"/> and answers
    /// "{echo}|inline" when it ran inside that probe's synchronous part (on its thread: the call back then reaches the
    /// probe's turns from the thread that holds them), else "{echo}|hop".
    /// </summary>
    Task<string> BackAsync(CancellationToken cancellationToken = default);
}
