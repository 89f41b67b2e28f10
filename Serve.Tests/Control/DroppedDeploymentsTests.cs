using Serve.Control;
using Serve.Grains;

namespace Serve.Tests.Control;

/// <summary>Which deployments an update drops, and which marked ones a controller still deletes.</summary>
public sealed class DroppedDeploymentsTests
{
    private static DeploymentSpec Deployment(string application, string name) => new()
    {
        Application = application,
        TypeName = "Serve.Tests.Deployments.Greeter, Serve.Tests",
        Arguments = [],
        Options = new DeploymentOptions { Name = name },
        CodeVersion = "v1",
    };

    private static ApplicationSpec App(string name, params string[] deployments) => new()
    {
        Name = name,
        RoutePrefix = "/" + name,
        IngressDeployment = deployments.FirstOrDefault() ?? "",
        Deployments = deployments.Select(d => Deployment(name, d)).ToArray(),
    };

    [Fact]
    public void Of_IngressRenamed_TheOldIngressDropped()
    {
        var dropped = DroppedDeployments.Of(App("a", "Old", "Model"), App("a", "New", "Model"));

        Assert.Equal([new DeploymentId("a", "Old")], dropped);
    }

    [Fact]
    public void Of_NewApplicationOrSameDeployments_NoneDropped()
    {
        Assert.Empty(DroppedDeployments.Of(null, App("a", "Ingress")));
        Assert.Empty(DroppedDeployments.Of(App("a", "Ingress", "Model"), App("a", "Model", "Ingress")));
    }

    [Fact]
    public void Sort_DeploymentNotInItsApplicationsSpec_Deleted()
    {
        var stored = new Dictionary<string, ApplicationSpec> { ["a"] = App("a", "New") };

        var (delete, keep) = DroppedDeployments.Sort([new DeploymentId("a", "Old")], stored);

        Assert.Equal([new DeploymentId("a", "Old")], delete);
        Assert.Empty(keep);
    }

    [Fact]
    public void Sort_DeploymentAddedBackByALaterUpdate_KeptNotDeleted()
    {
        // Dropped by one update, then added back by the next before the delete ran: deleting it now would take the
        // application's current deployment away.
        var stored = new Dictionary<string, ApplicationSpec> { ["a"] = App("a", "Old", "New") };

        var (delete, keep) = DroppedDeployments.Sort([new DeploymentId("a", "Old")], stored);

        Assert.Empty(delete);
        Assert.Equal([new DeploymentId("a", "Old")], keep);
    }

    [Fact]
    public void Sort_ApplicationGoneOrOtherApplicationsDeployment_Deleted()
    {
        // The same deployment name in another application says nothing about this one.
        var stored = new Dictionary<string, ApplicationSpec> { ["b"] = App("b", "Old") };

        var (delete, keep) = DroppedDeployments.Sort([new DeploymentId("a", "Old"), new DeploymentId("a", "Old")], stored);

        Assert.Equal([new DeploymentId("a", "Old")], delete);
        Assert.Empty(keep);
    }
}
