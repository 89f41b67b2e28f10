namespace Serve.Tests.Deployments;

public interface IConfigured
{
    /// <summary>Returns "{greeting}:{instance id}".</summary>
    Task<string> DescribeAsync(CancellationToken cancellationToken = default);
}
