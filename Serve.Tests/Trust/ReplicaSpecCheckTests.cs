using Serve.Grains;
using Serve.Replicas;

namespace Serve.Tests.Trust;

public sealed class ReplicaSpecCheckTests
{
    private static readonly DeploymentSpec Accepted = new()
    {
        Application = "app",
        TypeName = "Serve.Tests.Deployments.Greeter, Serve.Tests",
        Arguments = [new BoundArgument { Json = "\"Hello\"", TypeName = typeof(string).AssemblyQualifiedName }],
        Options = new DeploymentOptions { Name = "Greeter" },
        CodeVersion = "v1",
    };

    [Fact]
    public void Problem_SpecTheDeploymentHolds_None()
    {
        Assert.Null(ReplicaSpecCheck.Problem("app/Greeter/v1/3", Accepted with { Options = Accepted.Options with { NumReplicas = 4 } }, Accepted));
    }

    [Fact]
    public void Problem_DeploymentHoldsNoSpec_Refused()
    {
        Assert.Contains("holds no spec", ReplicaSpecCheck.Problem("app/Greeter/v1/0", Accepted, null));
    }

    [Fact]
    public void Problem_KeyNamesAnotherVersion_Refused()
    {
        Assert.Contains("now runs code version v1, not v0", ReplicaSpecCheck.Problem("app/Greeter/v0/0", Accepted, Accepted));
    }

    [Theory]
    [InlineData("System.IO.FileInfo, System.Private.CoreLib", "\"Hello\"")]
    [InlineData("Serve.Tests.Deployments.Greeter, Serve.Tests", "\"Forged\"")]
    public void Problem_OfferedClassOrArgumentsDiffer_Refused(string typeName, string json)
    {
        var offered = Accepted with { TypeName = typeName, Arguments = [new BoundArgument { Json = json, TypeName = typeof(string).AssemblyQualifiedName }] };

        Assert.Contains("is not the one deployment 'app/Greeter' holds", ReplicaSpecCheck.Problem("app/Greeter/v1/0", offered, Accepted));
    }

    [Theory]
    [InlineData("app/Greeter/v1")]
    [InlineData("app/Greeter/v1/0/extra")]
    [InlineData("app//v1/0")]
    public void Problem_KeyOfAnotherShape_Refused(string replicaId)
    {
        Assert.Contains("its key is not app/deployment/version/n", ReplicaSpecCheck.Problem(replicaId, Accepted, Accepted));
    }
}
