using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serve.Hosting;

namespace Serve.Tests.Deployments;

public sealed class ServeServiceSetupsTests
{
    private static readonly IConfiguration Empty = new ConfigurationBuilder().Build();

    [Fact]
    public void Apply_SetupClassInTheDeploymentAssemblies_ItsServicesRegistered()
    {
        var services = new ServiceCollection();

        ServeServiceSetups.Apply(services, Empty, [typeof(TestServiceSetup).Assembly, typeof(TestServiceSetup).Assembly]);
        // serve run hands it the assemblies it loaded, which may be among those ServeHost did.
        ServeServiceSetups.Apply(services, Empty, [typeof(TestServiceSetup).Assembly]);

        using var provider = services.BuildServiceProvider();
        Assert.Equal(TestServiceSetup.Text, provider.GetRequiredService<SetupRegisteredService>().Text);
        Assert.Single(services, d => d.ServiceType == typeof(SetupRegisteredService));
    }

    [Fact]
    public void Apply_SetupThrows_FailsNamingTheClassWithItsError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServeServiceSetups.Apply(new ServiceCollection(), Empty, [new ThrowingSetup()]));

        Assert.StartsWith($"{typeof(ThrowingSetup).FullName}.ConfigureServices", error.Message, StringComparison.Ordinal);
        Assert.Equal("no model store configured", error.InnerException!.Message);
    }

    [Fact]
    public void Of_SetupClassWithoutParameterlessConstructor_FailsNamingTheFix()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SetupClasses<IServeServiceSetup>.Of([typeof(string), typeof(NeedsArgument)]).ToList());

        Assert.Equal($"{typeof(NeedsArgument).FullName} implements IServeServiceSetup but has no public parameterless constructor. Fix: add one.", error.Message);
    }

    private sealed class ThrowingSetup : IServeServiceSetup
    {
        public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => throw new ArgumentException("no model store configured");
    }

    private sealed class NeedsArgument(string text) : IServeServiceSetup
    {
        public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddSingleton(text);
    }
}
