using Serve.Configuration;
using Serve.Replicas;
using Serve.Samples.FirstDeployment;
using Serve.Tests.Deployments;

namespace Serve.Tests.Trust;

public sealed class DeploymentTypeAdmissionTests
{
    private static readonly DeploymentTypeAdmission Admission = new([typeof(Greeter).Assembly]);

    [Fact]
    public void AdmitDeployment_ClassOfRegisteredAssembly_Admitted()
    {
        Assert.Equal(typeof(Greeter), Admission.AdmitDeployment(typeof(Greeter).AssemblyQualifiedName!, out _));
    }

    [Theory]
    [InlineData(typeof(FileInfo))]
    [InlineData(typeof(System.Diagnostics.Process))]
    [InlineData(typeof(Serve.Hosting.ServeOptions))]
    public void AdmitDeployment_PlatformClass_RefusedNamingTheFix(Type type)
    {
        Assert.Null(Admission.AdmitDeployment(type.AssemblyQualifiedName!, out var error));
        Assert.Contains("is not in a deployment assembly of this silo", error);
        Assert.Contains($"(pid {Environment.ProcessId})", error);
        Assert.Contains($"Serve__Assemblies__0=path/to/{type.Assembly.GetName().Name}.dll", error);
    }

    [Fact]
    public void AdmitDeployment_ClassOfLoadedButUnregisteredAssembly_Refused()
    {
        Assert.Null(Admission.AdmitDeployment(typeof(MyFirstDeployment).AssemblyQualifiedName!, out var error));
        Assert.Contains("'Serve.Samples' is not registered (registered: Serve.Tests)", error);
    }

    [Fact]
    public void AdmitDeployment_PlatformAssemblyRegistered_StillRefused()
    {
        var admission = new DeploymentTypeAdmission([typeof(FileInfo).Assembly, typeof(Greeter).Assembly]);

        Assert.Null(admission.AdmitDeployment(typeof(FileInfo).AssemblyQualifiedName!, out _));
    }

    [Theory]
    [InlineData(typeof(IProbe))]
    [InlineData(typeof(Serve.Tests.Infrastructure.ServeClusterFixture))]
    [InlineData(typeof(List<Greeter>))]
    [InlineData(typeof(Greeter[]))]
    public void AdmitDeployment_NotAConcreteNonGenericClass_Refused(Type type)
    {
        Assert.Null(Admission.AdmitDeployment(type.AssemblyQualifiedName!, out _));
    }

    [Theory]
    [InlineData("Serve.Tests.Deployments.Greeter")]
    [InlineData("not a [type name")]
    [InlineData("Serve.Tests.Deployments.Greeter, NoSuchAssembly")]
    public void AdmitDeployment_NameWithoutRegisteredAssembly_Refused(string name)
    {
        Assert.Null(Admission.AdmitDeployment(name, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData(typeof(string))]
    [InlineData(typeof(int?))]
    [InlineData(typeof(List<string>))]
    [InlineData(typeof(Dictionary<string, int[]>))]
    [InlineData(typeof(ConfigNode))]
    public void ResolveArgumentType_LoadedType_Resolved(Type type)
    {
        Assert.Equal(type, Admission.ResolveArgumentType(type.AssemblyQualifiedName!, out _));
    }

    [Fact]
    public void ResolveArgumentType_AssemblyNeitherLoadedNorReferenced_NotLoaded()
    {
        Assert.Null(Admission.ResolveArgumentType("Evil.Payload, Evil.Assembly", out var error));
        Assert.Contains("Evil.Payload", error);
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Evil.Assembly");
    }
}
