using System.Globalization;

namespace Serve.Tests.Deployments;

/// <summary>A deployment whose constructor takes a service only its assembly's setup class registers.</summary>
[Deployment]
public sealed class SetupServed(SetupRegisteredService service) : ISetupServed
{
    public Task<string> WhoAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(string.Create(CultureInfo.InvariantCulture, $"{service.Text} {Environment.ProcessId}"));
}
