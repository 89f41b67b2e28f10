namespace Serve.Tests.Deployments;

public interface ISetupServed
{
    /// <summary>The registered service's text and the process serving the call.</summary>
    Task<string> WhoAsync(CancellationToken cancellationToken = default);
}
