using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Deployments;

namespace Serve.Tests.Gateway;

public sealed class ServeHostSetupTests
{
    [Fact]
    public async Task CreateBuilder_EntryAssemblyHasAServiceSetup_ItsServicesRegistered()
    {
        // A program whose deployments and IServeServiceSetup sit beside its Program.cs (the template's layout), with no
        // Serve:Assemblies: its replicas are built from the entry assembly, so its setup runs too. Before, the service was
        // never registered and each replica failed "register it in an IServeServiceSetup beside the deployment".
        await using var app = ServeHost.CreateBuilder([], typeof(TestServiceSetup).Assembly).Build();

        Assert.Equal(TestServiceSetup.Text, app.Services.GetRequiredService<SetupRegisteredService>().Text);
    }
}
