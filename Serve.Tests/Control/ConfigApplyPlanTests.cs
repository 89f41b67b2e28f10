using Serve.Control;
using Serve.Grains;

namespace Serve.Tests.Control;

/// <summary>A config owns the applications deployed from a config; those run from code are left alone unless it names them.</summary>
public sealed class ConfigApplyPlanTests
{
    private static ApplicationSpec FromConfig(string name, string config = "{}") =>
        new() { Name = name, IngressDeployment = "Ingress", Deployments = [], Config = config };

    private static ApplicationSpec FromCode(string name) =>
        new() { Name = name, IngressDeployment = "Ingress", Deployments = [] };

    private static Dictionary<string, ApplicationSpec> Current(params ApplicationSpec[] applications) =>
        applications.ToDictionary(a => a.Name, StringComparer.Ordinal);

    [Fact]
    public void Of_CodeRunApplicationNotInTheConfig_IsKeptNotDeleted()
    {
        var current = Current(FromCode("coded"), FromConfig("old"), FromConfig("same"));

        var plan = ConfigApplyPlan.Of([FromConfig("same"), FromConfig("new")], current, new HashSet<string>());

        Assert.Equal(["old"], plan.Deleted);
        Assert.Equal(["coded"], plan.Kept);
        Assert.Equal(["new"], plan.Created);
        Assert.Equal(["same"], plan.Unchanged);
        Assert.Empty(plan.Updated);
    }

    [Fact]
    public void Of_EmptyConfig_DeletesEveryConfigDeployedApplicationAndKeepsTheCodeRunOnes()
    {
        var current = Current(FromConfig("b"), FromCode("z"), FromConfig("a"), FromCode("y"));

        var plan = ConfigApplyPlan.Of([], current, new HashSet<string>());

        Assert.Equal(["a", "b"], plan.Deleted);
        Assert.Equal(["y", "z"], plan.Kept);
    }

    [Fact]
    public void Of_ConfigNamesACodeRunApplication_TakesItOver()
    {
        var current = Current(FromCode("coded"));
        var spec = FromConfig("coded");

        var plan = ConfigApplyPlan.Of([spec], current, new HashSet<string>());

        Assert.Equal(["coded"], plan.Updated);
        Assert.Equal([(spec, (ApplicationSpec?)current["coded"])], plan.Changed);
        Assert.Empty(plan.Kept);
        Assert.Empty(plan.Deleted);
    }

    [Fact]
    public void Of_ApplicationsBeingDeleted_NeitherDeletedAgainNorKept()
    {
        var current = Current(FromConfig("going"), FromCode("leaving"));

        var plan = ConfigApplyPlan.Of([], current, new HashSet<string> { "going", "leaving" });

        Assert.Empty(plan.Deleted);
        Assert.Empty(plan.Kept);
    }

    [Fact]
    public void Of_ChangedApplications_InTheConfigsOrderWithTheirCurrentSpec()
    {
        var current = Current(FromConfig("b", "{\"v\": 1}"));
        var b = FromConfig("b", "{\"v\": 2}");
        var a = FromConfig("a");

        var plan = ConfigApplyPlan.Of([b, a], current, new HashSet<string>());

        Assert.Equal([(b, (ApplicationSpec?)current["b"]), (a, null)], plan.Changed);
        Assert.Equal(["a"], plan.Created);
        Assert.Equal(["b"], plan.Updated);
    }
}
