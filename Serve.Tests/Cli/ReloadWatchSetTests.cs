using Serve.Cli.Reload;

namespace Serve.Tests.Cli;

public sealed class ReloadWatchSetTests
{
    private static readonly string Bin = Path.Combine(Path.GetTempPath(), "app", "bin", "Release", "net10.0");
    private static readonly string Config = Path.Combine(Path.GetTempPath(), "app", "serve.yaml");

    [Theory]
    [InlineData("MyApp.dll")]
    [InlineData("SomeDependency.dll")]
    [InlineData("appsettings.json")]
    [InlineData("MyApp.deps.json")]
    [InlineData("MYAPP.DLL")]
    public void Matches_ABuildOutputBesideAnAssembly_True(string file)
    {
        var watched = ReloadWatchSet.For([Path.Combine(Bin, "MyApp.dll")], Config);

        Assert.True(watched.Matches(Path.Combine(Bin, file)));
    }

    [Theory]
    [InlineData("MyApp.pdb")]
    [InlineData("notes.txt")]
    public void Matches_AnotherFileBesideAnAssembly_False(string file)
    {
        var watched = ReloadWatchSet.For([Path.Combine(Bin, "MyApp.dll")], Config);

        Assert.False(watched.Matches(Path.Combine(Bin, file)));
    }

    [Fact]
    public void Matches_TheConfigFile_TrueAndItsNeighboursFalse()
    {
        var watched = ReloadWatchSet.For([Path.Combine(Bin, "MyApp.dll")], Config);

        Assert.True(watched.Matches(Config));
        Assert.False(watched.Matches(Path.Combine(Path.GetDirectoryName(Config)!, "other.yaml")));
        // A .json beside the config is not a build output of a watched assembly.
        Assert.False(watched.Matches(Path.Combine(Path.GetDirectoryName(Config)!, "package.json")));
        Assert.False(watched.Matches(Path.Combine(Bin, "sub", "MyApp.dll")));
    }

    [Fact]
    public void For_RelativeAssemblyPath_WatchesItsFullDirectoryAndTheConfigs()
    {
        var watched = ReloadWatchSet.For([Path.Combine("bin", "MyApp.dll")], "serve.yaml");

        Assert.Equal(new[] { Path.GetFullPath("bin"), Path.GetDirectoryName(Path.GetFullPath("serve.yaml"))! }.Order(StringComparer.Ordinal), watched.Directories.Order(StringComparer.Ordinal));
        Assert.False(watched.IsEmpty);
    }

    [Fact]
    public void For_ImportPathWithoutAssemblies_Empty()
    {
        Assert.True(ReloadWatchSet.For([], null).IsEmpty);
    }
}
