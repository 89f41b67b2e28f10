using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Serve.Hosting;
using Serve.Tests.Infrastructure;
using Serve.Worker;

namespace Serve.Tests.Deployments;

/// <summary>
/// Model libraries compiled as a user's build compiles them (by the SDK's compiler, <see cref="CSharpCompiler"/>) and loaded
/// from a folder of their own as a host loads them (<c>Serve:Assemblies</c>): one that references
/// <c>Serve.Abstractions</c> alone registers its services; one built against <c>IServeServiceSetup</c>'s earlier home in
/// <c>Serve.Silo</c> still does; the <c>appsettings.json</c> beside one gives its setup defaults that the host overrides.
/// </summary>
public sealed class ModelLibraryTests : IDisposable
{
    /// <summary>A library's setup: registers a <c>Team.Greeting</c> made of two of its settings.</summary>
    private const string SetupSource = """
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;

        namespace Team;

        public sealed class Greeting(string text)
        {
            public string Text { get; } = text;
        }

        public sealed class Services : Serve.Hosting.IServeServiceSetup
        {
            public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
                services.AddSingleton(new Greeting($"{configuration["Team:Greeting"]}{configuration["Team:Punctuation"]}"));
        }
        """;

    /// <summary>A library's setup as the options pattern writes it: its options bound through DI (<c>BindConfiguration</c>), a class taking them.</summary>
    private const string BoundOptionsSource = """
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Options;

        namespace Team;

        public sealed class TeamOptions
        {
            public string Greeting { get; set; } = "";

            public string Punctuation { get; set; } = "";
        }

        public sealed class Greeting(IOptions<TeamOptions> options)
        {
            public string Text { get; } = options.Value.Greeting + options.Value.Punctuation;
        }

        public sealed class Services : Serve.Hosting.IServeServiceSetup
        {
            public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
            {
                services.AddOptions<TeamOptions>().BindConfiguration("Team");
                services.AddSingleton<Greeting>();
            }
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("serve-library-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string[] Abstractions =>
    [
        typeof(IServiceCollection).Assembly.Location,
        typeof(IConfiguration).Assembly.Location,
        typeof(StringValues).Assembly.Location,
    ];

    [Fact]
    public async Task ServiceSetup_LibraryReferencingServeAbstractionsAlone_LoadedFromItsFolderAndRun()
    {
        var library = Path.Combine(_folder, "lib", $"Team.Models{Guid.NewGuid():N}.dll");
        // What the Serve.Abstractions package brings a library: itself, Orleans' serialization attributes, the DI and
        // configuration abstractions. No Serve.Silo.
        await CSharpCompiler.CompileAsync(library, SetupSource,
            [typeof(ServeException).Assembly.Location, typeof(Orleans.GenerateSerializerAttribute).Assembly.Location, .. Abstractions]);
        Assert.DoesNotContain("Serve.Silo", ReferencesOf(library));

        Assert.Equal("hello.", GreetingOf(library, new() { ["Team:Greeting"] = "hello", ["Team:Punctuation"] = "." }));
    }

    [Fact]
    public async Task ServiceSetup_LibraryBuiltAgainstItsEarlierHomeInServeSilo_StillLoadsAndRuns()
    {
        // The reference a library built against an earlier Serve.Silo package holds: Serve.Hosting.IServeServiceSetup in
        // assembly Serve.Silo, of this process's Serve.Silo version. Only the library goes into its folder.
        var silo = typeof(ServeServiceSetups).Assembly.GetName();
        var earlier = Path.Combine(_folder, "earlier", "Serve.Silo.dll");
        await CSharpCompiler.CompileAsync(earlier, $$"""
            using Microsoft.Extensions.Configuration;
            using Microsoft.Extensions.DependencyInjection;

            [assembly: System.Reflection.AssemblyVersion("{{silo.Version}}")]

            namespace Serve.Hosting;

            public interface IServeServiceSetup
            {
                void ConfigureServices(IServiceCollection services, IConfiguration configuration);
            }
            """, Abstractions);
        var library = Path.Combine(_folder, "lib", $"Team.Old{Guid.NewGuid():N}.dll");
        await CSharpCompiler.CompileAsync(library, SetupSource, [earlier, .. Abstractions]);
        Assert.Contains("Serve.Silo", ReferencesOf(library));
        Assert.DoesNotContain("Serve.Abstractions", ReferencesOf(library));

        Assert.Equal("hello.", GreetingOf(library, new() { ["Team:Greeting"] = "hello", ["Team:Punctuation"] = "." }));
    }

    [Fact]
    public async Task Builder_DeploymentAssemblyWithItsOwnAppSettings_HostSettingsWinAndTheFileFillsInForItsSetupOnly()
    {
        var library = Path.Combine(_folder, "lib", $"Team.Settings{Guid.NewGuid():N}.dll");
        await CSharpCompiler.CompileAsync(library, SetupSource,
            [typeof(ServeException).Assembly.Location, typeof(Orleans.GenerateSerializerAttribute).Assembly.Location, .. Abstractions]);
        await File.WriteAllTextAsync(Path.Combine(_folder, "lib", "appsettings.json"), """
            {
              "Team": { "Greeting": "from the library", "Punctuation": "!" },
              "Logging": { "LogLevel": { "Team": "Trace" } },
              "Serve": { "Admin": { "Port": 1 } }
            }
            """);

        // The gateway's host, as `dotnet MyGateway.dll --Serve:Assemblies:0=...` builds it; built, not started.
        var builder = ServeHost.CreateBuilder([$"--Serve:Assemblies:0={library}", "--Team:Greeting=from the host"]);
        await using var app = builder.Build();

        var greeting = app.Services.GetRequiredService(Loaded(library).GetType("Team.Greeting", throwOnError: true)!);
        Assert.Equal("from the host!", Text(greeting));
        // The file is the library's setup's defaults, not the host's settings.
        Assert.Equal((null, null, null), (app.Configuration["Team:Punctuation"], app.Configuration["Logging:LogLevel:Team"], app.Configuration["Serve:Admin:Port"]));
    }

    [Fact]
    public async Task Builder_SetupBindsItsOptionsThroughDI_TheyGetTheAssemblysAppSettingsUnderTheHosts()
    {
        var library = Path.Combine(_folder, "lib", $"Team.Bound{Guid.NewGuid():N}.dll");
        await CSharpCompiler.CompileAsync(library, BoundOptionsSource,
        [
            typeof(ServeException).Assembly.Location, typeof(Orleans.GenerateSerializerAttribute).Assembly.Location, .. Abstractions,
            typeof(Microsoft.Extensions.Options.IOptions<>).Assembly.Location, typeof(OptionsBuilderConfigurationExtensions).Assembly.Location,
            typeof(BinderOptions).Assembly.Location,
        ]);
        await File.WriteAllTextAsync(Path.Combine(_folder, "lib", "appsettings.json"), """
            { "Team": { "Greeting": "from the library", "Punctuation": "!" } }
            """);

        var builder = ServeHost.CreateBuilder([$"--Serve:Assemblies:0={library}", "--Team:Greeting=from the host"]);
        await using var app = builder.Build();

        Assert.Equal("from the host!", Text(app.Services.GetRequiredService(Loaded(library).GetType("Team.Greeting", throwOnError: true)!)));
        // The host's own configuration is still without the file.
        Assert.Null(app.Services.GetRequiredService<IConfiguration>()["Team:Punctuation"]);
    }

    [Fact]
    public void Over_FileBesideAssembly_HostKeysWinFileFillsIn()
    {
        var file = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(file, """{ "Model": { "Path": "/models", "Batch": "8" } }""");
        var host = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Model:Path"] = "/mnt/models" }).Build();

        var settings = DeploymentAssemblySettings.Over(host, file, "Team.Models");

        Assert.Equal(("/mnt/models", "8"), (settings["Model:Path"], settings["Model:Batch"]));
        Assert.Same(host, DeploymentAssemblySettings.Over(host, file: null, "Team.Models"));
    }

    [Fact]
    public void Over_FileNotJson_FailsNamingTheFileAndTheAssembly()
    {
        var file = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(file, "{ \"Model\": ");

        var error = Assert.Throws<InvalidOperationException>(() => DeploymentAssemblySettings.Over(new ConfigurationBuilder().Build(), file, "Team.Models"));

        Assert.StartsWith($"{file} (the settings of deployment assembly Team.Models) could not be read: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Fix: correct the file, or remove it.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Loads <paramref name="library"/> as a worker does, runs its setup classes on a host's services, and reads the greeting they registered.</summary>
    private static string GreetingOf(string library, Dictionary<string, string?> settings)
    {
        settings[$"{DeploymentAssemblies.SectionName}:0"] = library;
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(settings);
        var services = new ServiceCollection();

        ServeServiceSetups.Apply(services, configuration, DeploymentAssemblies.Load(configuration));

        using var provider = services.BuildServiceProvider();
        return Text(provider.GetRequiredService(Loaded(library).GetType("Team.Greeting", throwOnError: true)!));
    }

    private static Assembly Loaded(string library) =>
        AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == Path.GetFileNameWithoutExtension(library));

    private static List<string> ReferencesOf(string assembly)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly));
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).ToList();
    }

    private static string Text(object greeting) => (string)greeting.GetType().GetProperty("Text")!.GetValue(greeting)!;
}
