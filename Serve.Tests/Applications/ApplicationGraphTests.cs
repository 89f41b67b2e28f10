using Serve.Applications;
using Serve.Samples.Composition;
using Serve.Tests.Deployments;

namespace Serve.Tests.Applications;

public sealed class ApplicationGraphTests
{
    [Fact]
    public void Build_Composition_ChildrenBecomeDeploymentArguments()
    {
        var spec = ApplicationGraph.Build(Ingress.App(), "app", "/");

        Assert.Equal("Ingress", spec.IngressDeployment);
        Assert.Equal(["Ingress", "Hello", "World"], spec.Deployments.Select(d => d.Name));
        Assert.Equal(["Hello", "World"], spec.Deployments[0].Arguments.Select(a => a.Deployment));
    }

    [Theory]
    [InlineData("line\nforged", "line\\u000Aforged")]
    [InlineData("\u001B]0;owned\u0007", "\\u001B]0;owned\\u0007")]
    [InlineData("a/b", "a/b")]
    public void Build_NameWithSlashOrControlCharacter_RefusedShowingItWrittenOut(string name, string shown)
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<Probe>().Bind(), name, "/"));

        Assert.Equal($"application name '{shown}' must be non-empty and must not contain '/' or control characters.", Assert.Single(error.Errors));
        Assert.StartsWith($"Application '{shown}' is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WrongValueType_NamesClassParameterAndFix()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<Greeter>().Bind(42), "app", "/"));

        var message = Assert.Single(error.Errors);
        Assert.Contains("parameter 'greeting' of Greeter is String but Bind gave a Int32", message);
        Assert.Contains("Fix:", message);
    }

    [Fact]
    public void Build_DeploymentWhereNoHandleFits_NamesParameterAndHandleFix()
    {
        var error = Assert.Throws<InvalidApplicationException>(() =>
            ApplicationGraph.Build(Deployment.For<Greeter>().Bind(Deployment.For<Hello>().Bind()), "app", "/"));

        Assert.Contains(error.Errors, e => e.Contains("parameter 'greeting' of Greeter is String but receives the bound deployment 'Hello'")
            && e.Contains("DeploymentHandle<I>"));
    }

    [Fact]
    public void Build_HandleLeftUnbound_RefusedNamingParameterPositionAndContract()
    {
        // Ingress(DeploymentHandle<IMessage> hello, DeploymentHandle<IMessage> world) given only hello: no silo could
        // ever fill world (handles never come from dependency injection), so nothing is deployed.
        var error = Assert.Throws<InvalidApplicationException>(() =>
            ApplicationGraph.Build(Deployment.For<Ingress>().Bind(Deployment.For<Hello>().Bind()), "app", "/"));

        var message = Assert.Single(error.Errors);
        Assert.Contains("parameter 'world' (DeploymentHandle<IMessage>) of Ingress(DeploymentHandle<IMessage> hello, DeploymentHandle<IMessage> world) is not bound: Bind gave 1 argument(s) (deployment 'Hello')", message);
        Assert.Contains("Fix: bind it in position 2, a bound deployment of a class implementing IMessage: Deployment.For<...>().Bind()", message);
    }

    [Fact]
    public void Build_StringLeftUnbound_RefusedSayingDependencyInjectionDoesNotProvideIt()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<Greeter>().Bind(), "app", "/"));

        var message = Assert.Single(error.Errors);
        Assert.Contains("parameter 'greeting' (String) of Greeter(String greeting, TimeProvider time) is not bound: Bind gave 0 argument(s) (none), and dependency injection provides services, not a String value", message);
        Assert.Contains("Fix: bind it in position 1, or give the parameter a default value.", message);
    }

    [Fact]
    public void Build_ServiceLeftUnbound_LeftToDependencyInjection()
    {
        // TimeProvider, after the bound greeting, is a service: the silo provides it.
        var spec = ApplicationGraph.Build(Deployment.For<Greeter>().Bind("hi"), "app", "/");

        Assert.Equal("hi", Assert.Single(Assert.Single(spec.Deployments).Arguments).Json?.Trim('"'));
    }

    [Fact]
    public void Build_DelegateInCallableSignature_RefusedNamingMethodAndFix()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<DelegateTaker>().Bind(), "app", "/"));

        var message = Assert.Single(error.Errors);
        Assert.StartsWith("deployment 'DelegateTaker' (DelegateTaker.RunAsync): Func<Int32> is a delegate, and code cannot cross between processes", message);
        Assert.Contains("Fix: pass the data it would produce", message);
    }

    [Fact]
    public void Build_TooManyArguments_SaysHowManyFit()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<Hello>().Bind("x"), "app", "/"));

        Assert.Contains(error.Errors, e => e.Contains("Hello() takes 0 parameter(s) but Bind gave 1"));
    }

    [Fact]
    public void Build_TwoDeploymentsOneName_ReportsBothClasses()
    {
        var app = Deployment.For<Ingress>().Bind(
            Deployment.For<Hello>().Bind(),
            Deployment.For<World>().Options(o => o with { Name = "Hello" }).Bind());

        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(app, "app", "/"));

        Assert.Contains(error.Errors, e => e.Contains("two deployments are named 'Hello' (Hello, World)"));
    }

    [Fact]
    public void Build_TwoClassesOfOneShortNameInTwoNamespaces_ReportsTheirFullNames()
    {
        var app = Deployment.For<Ingress>().Bind(
            Deployment.For<Deployments.Vision.Model>().Bind(),
            Deployment.For<Deployments.Speech.Model>().Bind());

        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(app, "app", "/"));

        Assert.Contains(error.Errors, e => e.Contains("two deployments are named 'Model' (Serve.Tests.Deployments.Vision.Model, Serve.Tests.Deployments.Speech.Model)"));
    }

    [Fact]
    public void Build_SeveralProblems_ReportsAllAtOnce()
    {
        var app = Deployment.For<Greeter>().Options(o => o with { NumReplicas = -1, MaxOngoingRequests = 0 }).Bind(42);

        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(app, "bad/name", "no-slash"));

        Assert.Equal(5, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("NumReplicas: -1 must be ≥ 0"));
        Assert.Contains(error.Errors, e => e.Contains("MaxOngoingRequests: 0 must be ≥ 1"));
        Assert.Contains(error.Errors, e => e.Contains("application name 'bad/name'"));
        Assert.Contains(error.Errors, e => e.Contains("route prefix 'no-slash'"));
    }

    [Fact]
    public void Build_ReplicaCountPastTheBound_ReportsIt()
    {
        // A deployment's grain keeps a record per replica and places them in one turn: a billion ran its silo out of memory.
        var app = Deployment.For<Greeter>().Options(o => o with { NumReplicas = 1_000_000_000 }).Bind(42);

        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(app, "app", "/"));

        Assert.Contains(error.Errors, e => e.Contains("NumReplicas: 1000000000 must be at most 10000", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_SameArguments_SameCodeVersion_OtherArguments_OtherVersion()
    {
        var a = ApplicationGraph.Build(Deployment.For<Greeter>().Bind("a"), "app", "/").Deployments[0].CodeVersion;
        var again = ApplicationGraph.Build(Deployment.For<Greeter>().Bind("a"), "app", "/").Deployments[0].CodeVersion;
        var b = ApplicationGraph.Build(Deployment.For<Greeter>().Bind("b"), "app", "/").Deployments[0].CodeVersion;

        Assert.Equal(a, again);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Build_OtherResources_OtherVersion_DefaultResources_VersionAsBefore()
    {
        string Version(ReplicaResources? resources) => ApplicationGraph.Build(
            Deployment.For<Greeter>().Options(o => resources is null ? o : o with { Resources = resources }).Bind("a"), "app", "/").Deployments[0].CodeVersion;

        Assert.Equal(Version(null), Version(new ReplicaResources()));
        Assert.NotEqual(Version(null), Version(new ReplicaResources { NumCpus = 0.5 }));
        Assert.NotEqual(Version(new ReplicaResources { NumCpus = 0.5 }), Version(new ReplicaResources { NumCpus = 0.5, Custom = new Dictionary<string, double> { ["accelerator:a100"] = 1 } }));
        Assert.Equal(
            Version(new ReplicaResources { Custom = new Dictionary<string, double> { ["a"] = 1, ["b"] = 2 } }),
            Version(new ReplicaResources { Custom = new Dictionary<string, double> { ["b"] = 2, ["a"] = 1 } }));
    }
}
