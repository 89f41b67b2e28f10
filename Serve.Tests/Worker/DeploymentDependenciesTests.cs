using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using Serve.Worker;

namespace Serve.Tests.Worker;

public sealed class DeploymentDependenciesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("serve-deps-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Install_DeploymentBuiltAgainstANewerVersionThanTheHosts_RefusedNamingBothVersions()
    {
        var host = typeof(Deployment).Assembly.GetName();
        var path = Path.Combine(_folder, "Team.Newer.dll");
        WriteAssembly(path, "Team.Newer", new AssemblyName($"{host.Name}, Version=99.0.0.0"));

        var error = Assert.Throws<InvalidOperationException>(() => DeploymentDependencies.Install([path], "Serve:Assemblies"));

        Assert.StartsWith($"Serve:Assemblies: Team.Newer.dll was built against {host.Name} 99.0.0.0, but this process has {host.Name} {host.Version} (", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_DeploymentBuiltAgainstTheHostsVersion_Accepted()
    {
        var path = Path.Combine(_folder, "Team.Same.dll");
        WriteAssembly(path, "Team.Same", typeof(Deployment).Assembly.GetName());

        DeploymentDependencies.Install([path], "Serve:Assemblies");
    }

    [Fact]
    public void Install_DeploymentCopiedWithoutItsDependencies_RefusedNamingTheReferenceAndTheFix()
    {
        // MyApp.dll copied alone to a worker: before, the worker died at start in Orleans' assembly scan with
        // "Could not load file or assembly 'Serve.Gateway'", naming neither MyApp.dll nor what to do.
        var path = Path.Combine(_folder, "Team.Lonely.dll");
        WriteAssembly(path, "Team.Lonely", new AssemblyName("Team.Lonely.Models, Version=2.0.0.0"));

        var error = Assert.Throws<InvalidOperationException>(() => DeploymentDependencies.Install([path], "Serve:Assemblies"));

        Assert.Equal($"Serve:Assemblies: Team.Lonely.dll references Team.Lonely.Models 2.0.0.0, which is neither in this process nor in {_folder} (which has no Team.Lonely.deps.json). "
            + "Fix: give the whole output folder of Team.Lonely.dll's build, its dependencies and Team.Lonely.deps.json included: a program's bin/ folder, or `dotnet publish` of a class library, rather than the assembly alone.", error.Message);
    }

    [Fact]
    public void Install_DependencyBesideTheDeployment_Accepted()
    {
        WriteAssembly(Path.Combine(_folder, "Team.Models.dll"), "Team.Models", typeof(Deployment).Assembly.GetName());
        var path = Path.Combine(_folder, "Team.WithModels.dll");
        WriteAssembly(path, "Team.WithModels", new AssemblyName("Team.Models, Version=1.0.0.0"));

        DeploymentDependencies.Install([path], "Serve:Assemblies");
    }

    [Fact]
    public void Install_NativeLibraryOfAPackage_LoadsFromItsRuntimesFolder()
    {
        // A package's native library stays under runtimes/<rid>/native in a portable build, listed by the .deps.json.
        var zlib = new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1" }.First(File.Exists);
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var native = Path.Combine(_folder, "runtimes", rid, "native");
        Directory.CreateDirectory(native);
        File.Copy(zlib, Path.Combine(native, "libserveteamz.so"));
        var path = Path.Combine(_folder, "Team.Native.dll");
        WriteAssembly(path, "Team.Native", typeof(Deployment).Assembly.GetName());
        File.WriteAllText(Path.Combine(_folder, "Team.Native.deps.json"), $$"""
            {
              "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" },
              "targets": { ".NETCoreApp,Version=v10.0": {
                "Team.Native/1.0.0": { "dependencies": { "TeamZ.Native": "1.0.0" }, "runtime": { "Team.Native.dll": {} } },
                "TeamZ.Native/1.0.0": { "runtimeTargets": { "runtimes/{{rid}}/native/libserveteamz.so": { "rid": "{{rid}}", "assetType": "native" } } }
              } },
              "libraries": {
                "Team.Native/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
                "TeamZ.Native/1.0.0": { "type": "package", "serviceable": true, "sha512": "", "path": "teamz.native/1.0.0" }
              }
            }
            """);
        Assert.False(NativeLibrary.TryLoad("serveteamz", typeof(DeploymentDependenciesTests).Assembly, null, out _));

        DeploymentDependencies.Install([path], "Serve:Assemblies");

        Assert.True(NativeLibrary.TryLoad("serveteamz", typeof(DeploymentDependenciesTests).Assembly, null, out var handle));
        Assert.True(NativeLibrary.TryGetExport(handle, "zlibVersion", out _));
    }

    /// <summary>Writes an assembly named <paramref name="name"/> holding nothing but a reference to <paramref name="reference"/>.</summary>
    private static void WriteAssembly(string path, string name, AssemblyName reference)
    {
        var metadata = new MetadataBuilder();
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, default, AssemblyHashAlgorithm.Sha1);
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        var referenced = metadata.AddAssemblyReference(
            metadata.GetOrAddString(reference.Name!), reference.Version!, default, default, default, default);
        metadata.AddTypeReference(referenced, metadata.GetOrAddString("Serve"), metadata.GetOrAddString("Deployment"));
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var image = new BlobBuilder();
        new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder()).Serialize(image);
        using var file = File.Create(path);
        image.WriteContentTo(file);
    }
}
