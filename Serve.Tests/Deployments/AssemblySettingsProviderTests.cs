using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serve.Hosting;

namespace Serve.Tests.Deployments;

/// <summary>What a deployment assembly's setup registered through DI resolves <see cref="IConfiguration"/> as: the assembly's settings.</summary>
public sealed class AssemblySettingsProviderTests
{
    private sealed class ModelOptions
    {
        public string Path { get; set; } = "";
    }

    private sealed class PathReader(IConfiguration configuration)
    {
        public string? Path => configuration["Model:Path"];
    }

    private sealed class ConfigureModel : IConfigureOptions<ModelOptions>
    {
        public void Configure(ModelOptions options) => options.Path += "+configured";
    }

    [Fact]
    public void Scope_RegistrationsSinceTheSnapshot_FactoriesGetTheAssemblysSettingsOthersTheHosts()
    {
        var host = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Model:Path"] = "host" }).Build();
        var assembly = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Model:Path"] = "assembly" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(host);
        services.AddKeyedSingleton("before", (sp, _) => new PathReader(sp.GetRequiredService<IConfiguration>()));
        var before = new HashSet<ServiceDescriptor>(services, ReferenceEqualityComparer.Instance);

        services.AddOptions<ModelOptions>().BindConfiguration("Model");
        services.AddKeyedSingleton("after", (sp, _) => new PathReader(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<PathReader>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ModelOptions>, ConfigureModel>(_ => new ConfigureModel()));
        AssemblySettingsProvider.Scope(services, before, assembly);
        // The rewritten factories keep their implementation types: the same registration again is still recognised as there.
        var count = services.Count;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ModelOptions>, ConfigureModel>(_ => new ConfigureModel()));
        using var provider = services.BuildServiceProvider();

        Assert.Equal("assembly+configured", provider.GetRequiredService<IOptions<ModelOptions>>().Value.Path);
        Assert.Equal("assembly", provider.GetRequiredKeyedService<PathReader>("after").Path);
        Assert.Equal("host", provider.GetRequiredKeyedService<PathReader>("before").Path);
        Assert.Equal("host", provider.GetRequiredService<PathReader>().Path);
        Assert.Equal(count, services.Count);
    }
}
