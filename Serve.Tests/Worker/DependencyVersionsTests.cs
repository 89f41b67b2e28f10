using System.Reflection;
using Serve.Worker;

namespace Serve.Tests.Worker;

public sealed class DependencyVersionsTests
{
    private static readonly ShippedAssembly V1 = new("Team.Shared", new Version(1, 0, 0, 0), "/a/Team.Shared.dll");
    private static readonly ShippedAssembly V2 = new("Team.Shared", new Version(2, 0, 0, 0), "/b/Team.Shared.dll");

    [Fact]
    public void Choose_TwoDeploymentAssembliesBringDifferentVersions_TheHighestWhicheverAsksFirst()
    {
        // Team.A (built against 1.0) loads first: it gets 2.0, so Team.B (built against 2.0) finds what it needs.
        Assert.Same(V2, DependencyVersions.Choose(new AssemblyName("Team.Shared, Version=1.0.0.0"), [V1, V2]));
        Assert.Same(V2, DependencyVersions.Choose(new AssemblyName("Team.Shared, Version=2.0.0.0"), [V1, V2]));
    }

    [Fact]
    public void Choose_OnlyOlderThanRequested_None()
    {
        Assert.Null(DependencyVersions.Choose(new AssemblyName("Team.Shared, Version=2.0.0.0"), [V1]));
    }

    [Fact]
    public void Choose_OtherName_None()
    {
        Assert.Null(DependencyVersions.Choose(new AssemblyName("Team.Other, Version=1.0.0.0"), [V1, V2]));
    }

    [Fact]
    public void Conflict_HostCopyOlderThanTheReference_NamesBothVersionsTheHostFileAndTheFix()
    {
        var conflict = DependencyVersions.Conflict("Serve:Assemblies", "Team.B.dll", new AssemblyName("Team.Shared, Version=2.0.0.0"), V1);

        Assert.Equal(
            "Serve:Assemblies: Team.B.dll was built against Team.Shared 2.0.0.0, but this process has Team.Shared 1.0.0.0 (/a/Team.Shared.dll), "
            + "and a process holds one version of an assembly: Team.B.dll would fail where it first uses Team.Shared. "
            + "Fix: build Team.B.dll against Team.Shared 1.0.0.0 (the package version this host references), or host it in a program of your own that references the newer one.",
            conflict);
    }

    [Theory]
    [InlineData("Team.Shared, Version=1.0.0.0")]
    [InlineData("Team.Shared, Version=0.9.0.0")]
    [InlineData("Team.Shared")]
    public void Conflict_HostCopySameOrNewer_None(string reference)
    {
        Assert.Null(DependencyVersions.Conflict("Serve:Assemblies", "Team.A.dll", new AssemblyName(reference), V1));
    }

    [Fact]
    public void Conflict_HostHasNoCopy_None()
    {
        Assert.Null(DependencyVersions.Conflict("Serve:Assemblies", "Team.B.dll", new AssemblyName("Team.Shared, Version=2.0.0.0"), null));
    }
}
