using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serve.Hosting;

namespace Serve.Tests.Deployments;

/// <summary>The test assembly's service setup, as a team's model library has one: found and run by every host Serve writes.</summary>
public sealed class TestServiceSetup : IServeServiceSetup
{
    public const string Text = "registered by TestServiceSetup";

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        // Not TryAdd: a setup run twice on one host would show as two registrations.
        services.AddSingleton(new SetupRegisteredService(Text));
}
